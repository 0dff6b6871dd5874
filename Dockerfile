# A course image: Jupyter's base-notebook (Ubuntu, glibc; JupyterLab and
# jupyterhub-singleuser) with gosys installed for every user, its kernelspec
# set for a class, and the lecture notebooks. For Zero to JupyterHub on
# Kubernetes (KubeSpawner) or any container spawner; docs/course.md has the
# Helm values (memory and pid limits, the notebooks copied into each home).
#
#   docker build -t gosys-course .
#
# The install step is scripts/install-system.sh, the very script the class
# test (e2e/test_hub.py) runs against a real JupyterHub with three users.

ARG GO_VERSION=1.26
ARG BASE_IMAGE=quay.io/jupyter/base-notebook:2025-03-14

# --- build: gosys from this tree (the binary links the C library: the final
# image must have glibc, as base-notebook's Ubuntu does).
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY third_party ./third_party
RUN go mod download
COPY . .
# go run ./install builds with -trimpath and writes beside the binary the
# source native cells (%%native) are built against: /out/lib/gosys/native.
RUN go run ./install --binary-only /out/bin/gosys

# --- the course image
FROM ${BASE_IMAGE}
USER root
# What the lecture notebooks run besides gosys: ps (procps), and a C
# compiler with the C headers (handout 1 compiles C; handout 3 searches
# /usr/include). No Go toolchain: `fmt.Println?` reads the documentation
# built into gosys.
RUN apt-get update --yes && \
    apt-get install --yes --no-install-recommends procps gcc libc6-dev && \
    apt-get clean && rm -rf /var/lib/apt/lists/*

# gosys for every user: /usr/local/bin/gosys and the kernelspec
# /usr/local/share/jupyter/kernels/gosys with the class settings in its env
# (GOSYS_WARM_CHILDREN=0, GOSYS_MAX_CHILDREN=64, GOSYS_MEMORY_LIMIT=1G;
# change them with --env NAME=VALUE, see docs/course.md).
COPY --from=build /out /tmp/gosys-build
COPY scripts/install-system.sh /tmp/install-system.sh
RUN bash /tmp/install-system.sh --binary /tmp/gosys-build/bin/gosys /usr/local && \
    rm -r /tmp/gosys-build /tmp/install-system.sh

# The same settings for `gosys run` in a terminal.
ENV GOSYS_WARM_CHILDREN=0 \
    GOSYS_MAX_CHILDREN=64 \
    GOSYS_MEMORY_LIMIT=1G

# The lecture notebooks, read-only; each student's home (a volume under
# Zero to JupyterHub) gets a copy at start (docs/course.md).
COPY notebooks/*.ipynb notebooks/README.md /opt/gosys/notebooks/
RUN chmod -R a+rX /opt/gosys

USER ${NB_UID}
