#!/usr/bin/env bash
# `make bench-compare`: commerce-cdc's reader against Kafka Connect standalone + Debezium's MariaDB
# connector on the same stack and backlog (dist/tools/bench-compare/index.js, from
# src/tools/bench-compare/). Resolves the Java side from Maven Central into tools/bench-compare/target/lib
# first. BENCH_ROWS (1,000,000), BENCH_COMPARE_RUNS (3 of each tool, alternating),
# BENCH_COMPARE_DEFAULT_RUNS (1 default-settings Debezium run); logs under BENCH_COMPARE_LOG_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "BENCH_COMPARE_NO_JAVA: Kafka Connect needs Java 17; install a JDK (apt-get install openjdk-17-jdk-headless)" >&2; exit 2; }
command -v mvn >/dev/null || { echo "BENCH_COMPARE_NO_MAVEN: the Connect and Debezium jars come from Maven Central; install Maven (apt-get install maven)" >&2; exit 2; }
mvn -q -B -f tools/bench-compare/pom.xml package
eval "$(scripts/stack.sh env)"
node dist/tools/bench-compare/index.js
