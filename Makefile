# ressus: build, test and run the stack locally. See README.md.
SHELL := /bin/bash
LOCAL_PREFIX ?= $(CURDIR)/.local
export PKG_CONFIG_PATH := $(LOCAL_PREFIX)/librdkafka/lib/pkgconfig$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
export RESSUS_LIBRDKAFKA_PREFIX := $(LOCAL_PREFIX)/librdkafka
ENV_FILE := $(LOCAL_PREFIX)/run/env.sh
WITH_ENV := source $(ENV_FILE) &&

.PHONY: bootstrap build infra test validate demo demo-check stop benchmark carga chaos chaos-infra fuzz clean-local

## bootstrap: install Debian packages, librdkafka 2.8.0 and the Tansu broker (once)
bootstrap:
	@bash deploy/local/bootstrap.sh

## build: every product (debug)
build: bootstrap
	swift build --build-tests

## infra: start PostgreSQL and Tansu on free loopback ports
infra: bootstrap
	@bash deploy/local/infra.sh start

## test: the whole test suite against the real database and broker. Tests run one at a time:
## on 2 cores, the integration tests (broker group joins, child processes, shutdown bounds) are
## only dependable without 260 tests competing for the CPU (about 7 minutes).
test: build infra
	$(WITH_ENV) swift test --skip-build --no-parallel

## validate: check docker-compose.yml, deploy/k8s and the Dockerfile offline (schemas, cross-references)
## and run the five services with the compose environment; `make test` runs it too (DeployTests)
validate: build infra
	$(WITH_ENV) bash deploy/validate.sh

## demo: a full billing cycle under the simulated clock (own broker and database, clean state each
## run), then a summary in Portuguese; RESSUS_DEMO_KEEP_RUNNING=1 leaves the services up
demo: build infra
	@bash deploy/local/demo.sh

## demo-check: run the demo twice and check that both runs print the same summary (about 2 × the demo)
demo-check: build infra
	@bash deploy/local/demo-check.sh

## benchmark: platform, rules, event codec, runtime, intake, debt and report benchmarks (release build); figures in BENCHMARKS.md
benchmark: bootstrap infra
	swift build -c release --product platform-benchmark
	swift build -c release --product rules-benchmark
	swift build -c release --product codec-benchmark
	swift build -c release --product runtime-benchmark
	swift build -c release --product ressus
	swift build -c release --product intake-benchmark
	swift build -c release --product debt-benchmark
	swift build -c release --product report-benchmark
	$(WITH_ENV) .build/release/platform-benchmark
	.build/release/rules-benchmark
	.build/release/codec-benchmark
	$(WITH_ENV) .build/release/runtime-benchmark --events 100000
	$(WITH_ENV) .build/release/intake-benchmark
	$(WITH_ENV) .build/release/debt-benchmark
	$(WITH_ENV) .build/release/report-benchmark

## carga: load replay (issue 9) on an isolated stack, release build; figures in BENCHMARKS.md
## (make carga ATENDIMENTOS=100000 OPERADORAS=700; results in benchmark-results/carga-N)
ATENDIMENTOS ?= 100000
OPERADORAS ?= 700
carga: bootstrap infra
	for p in ressus ressus-intake ressus-deadlines ressus-debt-calculator ressus-report-publisher ressus-fns-transfer; do \
	  swift build -c release --product $$p || exit 1; done
	RESSUS_BIN_DIR=$(CURDIR)/.build/release bash deploy/local/carga.sh $(ATENDIMENTOS) $(OPERADORAS) $(CARGA_OPCOES)

## chaos: crash harness (issue 10): the same load replayed undisturbed and under SIGKILL of random
## services, compared (release build; ATENDIMENTOS, OPERADORAS; see RELIABILITY.md)
chaos: bootstrap infra
	for p in ressus ressus-intake ressus-deadlines ressus-debt-calculator ressus-report-publisher ressus-fns-transfer; do \
	  swift build -c release --product $$p || exit 1; done
	RESSUS_BIN_DIR=$(CURDIR)/.build/release bash scripts/chaos.sh $(ATENDIMENTOS) $(OPERADORAS)

## chaos-infra: restart harness (issue 10): the same load replayed undisturbed and with PostgreSQL
## (its own cluster) and the broker (back empty) restarted mid-run, compared (debug build, as
## `make build` leaves it; CHAOS_ATENDIMENTOS, CHAOS_OPERADORAS; see RELIABILITY.md)
CHAOS_ATENDIMENTOS ?= 10000
CHAOS_OPERADORAS ?= 100
chaos-infra: build infra
	bash scripts/chaos-infra.sh $(CHAOS_ATENDIMENTOS) $(CHAOS_OPERADORAS)

## fuzz: libFuzzer on the ABI (CSV, JSON) and payment-file parsers, FUZZ_SECONDS (default 60) per
## target; fails on a crash, hang or broken invariant (see RELIABILITY.md)
FUZZ_SECONDS ?= 60
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

## stop: stop the services, the broker and the database started by these scripts
stop:
	@bash deploy/local/demo.sh stop || true
	@bash deploy/local/services.sh stop || true
	@bash deploy/local/infra.sh stop
