"""churn.py: a Python program that churns dicts and strings, for the heap's real-program check.

Python keeps its small objects in its own pools and asks malloc for everything
larger: dict tables as they grow, long strings, lists. This program builds and
drops large dicts, joins and splits long strings and resizes lists, and prints
a digest of what it computed, which must not depend on the allocator.
"""
import hashlib

digest = hashlib.sha256()
for round_ in range(6):
    table = {}
    for i in range(40000):
        key = f"key-{round_}-{i * 7919 % 100003}"
        table[key] = [key * (i % 5 + 1), i, str(i) * (i % 17)]
        if i % 3 == 0:
            table.pop(f"key-{round_}-{(i // 2) * 7919 % 100003}", None)
    text = "|".join(f"{k}={v[1]}" for k, v in sorted(table.items()))
    digest.update(text.encode())
    words = text.split("|")
    words.sort(key=len)
    digest.update(" ".join(words[::97]).encode())
    grown = []
    for i in range(20000):
        grown.append("x" * (i % 300))
        if len(grown) > 5000:
            del grown[: len(grown) // 2]
    digest.update(str(sum(map(len, grown))).encode())
    del table, text, words, grown
print(digest.hexdigest())
