# SourceFlow for Go. `make test` runs every test the project has; see README.md.
GO ?= go
PKGS := ./...
LINT_TOOL := bash scripts/lint-tools.sh run

.PHONY: all test unit fuzz chaos scaleout integration lint bench run env-up env-down

all: lint test

## test: unit tests (-race -shuffle=on), every fuzz target for
## SOURCEFLOW_FUZZTIME (default 10000x, i.e. ten thousand inputs) each, then the integration suite against
## the LocalStack and PostgreSQL that scripts/test.sh starts and stops.
test:
	bash scripts/test.sh

## unit: unit tests only; no emulator or database needed.
unit:
	$(GO) test -race -shuffle=on -count=1 $(PKGS)

## fuzz: the fuzz phase only, longer: every fuzz target for
## SOURCEFLOW_FUZZTIME (default 500000x) each, one at a time, one worker.
fuzz:
	SOURCEFLOW_TEST_PHASES=fuzz SOURCEFLOW_FUZZTIME=$${SOURCEFLOW_FUZZTIME:-500000x} bash scripts/test.sh

## chaos: the fault-injection harness at full size (integration/chaos_test.go):
## SOURCEFLOW_CHAOS_ORDERS (default 5000: 10,000 commands) orders per scenario, outages of
## SOURCEFLOW_CHAOS_OUTAGE (default 30s); the figures table is written to
## chaos-figures.md. `make test` runs it with 300 orders and 6s outages.
chaos:
	SOURCEFLOW_TEST_PHASES=integration SOURCEFLOW_CHAOS_ORDERS=$${SOURCEFLOW_CHAOS_ORDERS:-5000} \
	SOURCEFLOW_CHAOS_OUTAGE=$${SOURCEFLOW_CHAOS_OUTAGE:-30s} SOURCEFLOW_CHAOS_REPORT=$(CURDIR)/chaos-figures.md \
	bash scripts/test.sh -run '^TestChaos$$' -v -timeout 3h

## scaleout: the scale-out run at full size (integration/scaleout_test.go):
## SOURCEFLOW_SCALEOUT_ORDERS (default 10000) orders over 200 entities per
## queue type, 3 orders + 2 payments processes, one killed mid-run.
## `make test` runs it with 2,000 orders.
scaleout:
	SOURCEFLOW_TEST_PHASES=integration SOURCEFLOW_SCALEOUT_ORDERS=$${SOURCEFLOW_SCALEOUT_ORDERS:-10000} \
	bash scripts/test.sh -run '^TestScaleOut$$' -v -timeout 3h

## integration: the integration phase only (starts and stops its environment).
integration:
	SOURCEFLOW_TEST_PHASES=integration bash scripts/test.sh

## lint: gofmt check; go vet and staticcheck (settings in staticcheck.conf),
## each with and without the integration build tag; gosec over the non-test
## code. scripts/lint-tools.sh installs staticcheck and gosec, at the versions
## it pins, from the Go module proxy on first use.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) vet -tags=integration $(PKGS)
	$(LINT_TOOL) staticcheck $(PKGS)
	$(LINT_TOOL) staticcheck -tags=integration $(PKGS)
	$(LINT_TOOL) gosec -quiet -color=false $(PKGS)
	$(LINT_TOOL) gosec -quiet -color=false -tags=integration $(PKGS)

## bench: every benchmark, once, with allocations; needs the test environment
## for the PostgreSQL and KMS benchmarks, which scripts/bench.sh starts. The
## awsbus/watermill-aws comparison is written to bench/results/.
bench:
	bash scripts/bench.sh

## run: the main job, on the embedded gochannel transport.
run:
	$(GO) run ./examples/orders

## env-up / env-down: start or stop LocalStack, the DynamoDB emulator, PostgreSQL
## and MySQL by hand.
env-up:
	bash scripts/test-env.sh start

env-down:
	bash scripts/test-env.sh stop
