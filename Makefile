# memcraft: a thin front over tools/ and grader/. `make help` lists the targets.
# EX=03 or EX=vector picks one exercise; without EX, commands cover them all.

PYTHON ?= python3
EX ?=
WORKBOOK = $(PYTHON) tools/workbook.py

.PHONY: help check watch memcheck asan lint hint reset grade submit list test book bench \
	gradescope handout new-exercise verify generated deps deps-all clean

help:
	@echo "Students:"
	@echo "  make check            progress over every exercise (public tests + ASan/UBSan)"
	@echo "  make check EX=03      one exercise, with the full test output"
	@echo "  make watch            re-checks the current exercise on every save (EX=03: that one)"
	@echo "  make memcheck EX=03   Valgrind: leaks and memory errors (slow)"
	@echo "  make asan EX=03       AddressSanitizer + UBSan, errors explained"
	@echo "  make lint EX=03       clang-tidy with the course's checks"
	@echo "  make hint EX=03       the next hint (RESET=1 starts over)"
	@echo "  make reset EX=03      your file back to the stub, after asking (a copy is kept)"
	@echo "  make grade            the grader on your work: public tests, Valgrind, sanitizers, lint"
	@echo "  make submit           build/submission.tar.gz to hand in"
	@echo "  make list             the exercises"
	@echo "Readers:    make book   the book as HTML and EPUB in build/book/"
	@echo "  make bench            the allocators against glibc malloc (OWN=1: your own code)"
	@echo "Developers: make test   the project's self-test (EX=03 for one exercise)"
	@echo "Instructors: grader/grade SUBMISSION, grader/grade --batch DIR (see README.md)"
	@echo "            make gradescope  the Gradescope autograder zip (build/dist/)"
	@echo "            make handout     the student kit tarball (build/dist/)"
	@echo "Authors:    make new-exercise NAME=ring-buffer CHAPTER=05   a new exercise, scaffolded"
	@echo "            make verify EX=03    the self-test for one exercise, summarized"
	@echo "            make generated       hidden-test counts and pristine stubs (.stub/)"
	@echo "            make deps   install what is missing (apt-get)"

deps:
	@sh tools/deps.sh student

deps-all:
	@sh tools/deps.sh all

check: deps
	@$(WORKBOOK) check $(EX)

watch: deps
	@$(WORKBOOK) watch $(EX)

reset:
	@$(WORKBOOK) reset $(EX) $(if $(YES),--yes)

grade: deps
	@$(WORKBOOK) grade $(EX)

memcheck: deps
	@$(WORKBOOK) memcheck $(EX)

asan: deps
	@$(WORKBOOK) asan $(EX)

lint: deps
	@$(WORKBOOK) lint $(EX)

hint:
	@$(WORKBOOK) hint $(EX) $(if $(RESET),--reset)

submit:
	@$(WORKBOOK) submit

list:
	@$(WORKBOOK) list

# Targets that need the full course repository (the student handout lacks their tools).
full_repo = @if [ -f $(1) ]; then $(PYTHON) $(1) $(2); \
	else echo "make $@ needs the full course repository; students run make check"; fi

test: deps-all
	$(call full_repo,tools/selftest.py,$(EX))

book: deps-all
	@$(PYTHON) tools/book.py build

bench: deps
	@$(PYTHON) tools/bench.py $(if $(OWN),--own)

gradescope: deps-all
	$(call full_repo,tools/dist.py,gradescope)

handout: deps-all
	$(call full_repo,tools/dist.py,handout)

new-exercise:
	$(call full_repo,tools/authoring/scaffold.py,--name "$(NAME)" --chapter "$(CHAPTER)" \
		$(if $(NUMBER),--number $(NUMBER)) $(if $(TITLE),--title "$(TITLE)"))

verify: deps-all
	$(call full_repo,tools/authoring/verify.py,$(EX))

generated:
	$(call full_repo,tools/authoring/generated.py,--write $(EX))

clean:
	rm -rf build
