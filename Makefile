# gosys — a Jupyter kernel for Go with real processes, pipes and sockets.
#
#   make          install what is needed, build gosys, install its kernelspec
#                 for this user and run the lecture notebooks (notebooks/)
#   make test     vet, gofmt, go test and the end-to-end Jupyter tests
#   make bench    gosys against ipykernel, gophernotes and GoNB (start-up, round
#                 trip, output, compute, memory), native cells against go build
#                 (bench/native_bench.py), then rt against C
#   make bench-runtime  rt's system calls in a cell against the same in C
#                 (bench/runtime_bench.py; needs gcc)
#
# Works on a fresh Debian/Ubuntu with Go installed: the Jupyter tools come
# from Debian packages (scripts/deps.sh, using sudo when not root).

SHELL := /bin/bash
GO ?= go
# Debian's Python, which the packages install jupyter_client into; a pyenv
# or venv python3 first on PATH would not have it.
PYTHON := /usr/bin/python3

# Where `make install` registers the kernelspec: --user is found by every
# jupyter (notebook, lab, console) of this user, root included. Use
# INSTALL_FLAGS=--sys-prefix or INSTALL_FLAGS="--prefix DIR" for others.
INSTALL_FLAGS ?= --user
# Executed copies of the lecture notebooks go here; the sources stay clean.
NB_OUT ?= build/notebooks
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

# The binary `go run ./install` builds: on the PATH of a new shell,
# /usr/local/bin for root and ~/.local/bin for a user.
GOSYS_BIN = $(if $(filter 0,$(shell id -u)),/usr/local/bin/gosys,$(HOME)/.local/bin/gosys)

.PHONY: all deps build install notebooks test vet fmt gotest e2e bench bench-runtime clean

all: deps install notebooks

deps:
	@bash scripts/deps.sh

# Compile everything (a quick check; `install` builds the real binary).
build:
	$(GO) build ./...

install:
	$(GO) run ./install $(INSTALL_FLAGS)

notebooks: install
ifeq ($(NOTEBOOKS),)
	@echo "notebooks/ has no .ipynb files yet: nothing to run."
else
	@mkdir -p $(NB_OUT)
	@set -e; for nb in $(NOTEBOOKS); do \
		echo "gosys run $$nb -> $(NB_OUT)/$$(basename $$nb)"; \
		$(GOSYS_BIN) run "$$nb" -o "$(NB_OUT)/$$(basename $$nb)" </dev/null; \
	done
endif

# The whole check, as CI runs it (.ci/run); see scripts/test.sh.
test: deps
	@bash scripts/test.sh

# Single steps of `make test`, for quicker iterations.
vet fmt gotest e2e: deps
	@bash scripts/test.sh $@

# The kernels side by side (gophernotes and GoNB built by bench/peers.sh),
# then rt's system calls against C.
bench: deps
	bash scripts/with-kernel.sh bash -c 'bash bench/peers.sh "$$GOSYS_PREFIX" && \
		$(PYTHON) bench/kernel_bench.py && $(PYTHON) bench/native_bench.py && \
		$(PYTHON) bench/runtime_bench.py'

bench-runtime: deps
	bash scripts/with-kernel.sh $(PYTHON) bench/runtime_bench.py

clean:
	rm -rf build
