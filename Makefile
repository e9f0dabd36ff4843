# memcraft: a thin front over tools/ and grader/. `make help` lists the targets.
# EX=03 or EX=vector picks one exercise; without EX, commands cover them all.

PYTHON ?= python3
EX ?=
WORKBOOK = $(PYTHON) tools/workbook.py

.PHONY: help check watch memcheck asan lint hint reset grade submit list test book bench \
	gradescope handout new-exercise verify generated prairielearn classroom image deps \
	deps-all clean perf heapviz

help:
	@echo "Students:"
	@echo "  make check            progress over every exercise (public tests + ASan/UBSan)"
	@echo "  make check EX=03      one exercise, with the full test output"
	@echo "  make watch            re-checks the current exercise on every save (EX=03: that one)"
	@echo "  make memcheck EX=03   Valgrind: leaks and memory errors (slow)"
	@echo "  make asan EX=03       AddressSanitizer + UBSan, errors explained"
	@echo "  make lint EX=03       clang-tidy with the course's checks"
	@echo "  make hint EX=03       the next hint (RESET=1 starts over)"
	@echo "  make perf EX=09       the heap's traces, shared object and real programs"
	@echo "                        (CHECK=1: heap_check() after every call of every trace)"
	@echo "  make heapviz EX=09 TRACE=binary STEP=100   the heap after 100 calls of a trace"
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
	@echo "            make prairielearn  a PrairieLearn course folder (IMAGE=registry/name)"
	@echo "            make classroom     a GitHub Classroom template repository (EX=\"01 03\")"
	@echo "            make image         the grader image (podman or docker; see README.md)"
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

# Exercise 09 only: the heap's performance checks and its visualizer.
heap_only = @case "$(EX)" in 09|9|heap|09-heap) ;; \
	*) echo "make $@ is for the heap: make $@ EX=09"; exit 2;; esac

perf:
	$(heap_only)
	@$(PYTHON) tools/heaptool.py perf $(if $(CHECK),--check-every-call)

heapviz:
	$(heap_only)
	@if [ -z "$(TRACE)" ] || [ -z "$(STEP)" ]; then \
		echo "say which trace and how many calls: make heapviz EX=09 TRACE=binary STEP=100"; \
		exit 2; fi
	@$(PYTHON) tools/heaptool.py viz $(TRACE) $(STEP)

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

# IMAGE: the grader image's name as PrairieLearn pulls it, and as `make image` tags it.
IMAGE ?= memcraft-grader
CONTAINER ?= $(or $(shell command -v podman || command -v docker),podman)

prairielearn: export MEMCRAFT_IMAGE = $(IMAGE)
prairielearn:
	$(call full_repo,tools/dist.py,prairielearn)

classroom:
	$(call full_repo,tools/dist.py,classroom $(EX))

# The grader image: podman (or docker) builds the Containerfile on the tracked files.
image:
	$(call full_repo,tools/dist.py,container)
	@if [ -d build/dist/container ]; then $(CONTAINER) build -t $(IMAGE) build/dist/container; fi
new-exercise:
	$(call full_repo,tools/authoring/scaffold.py,--name "$(NAME)" --chapter "$(CHAPTER)" \
		$(if $(NUMBER),--number $(NUMBER)) $(if $(TITLE),--title "$(TITLE)"))

verify: deps-all
	$(call full_repo,tools/authoring/verify.py,$(EX))

generated:
	$(call full_repo,tools/authoring/generated.py,--write $(EX))

clean:
	rm -rf build
