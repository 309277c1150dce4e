# deferio: make tour runs the lessons, make test checks everything.
GO ?= go
TESTFLAGS ?=
BUILD ?= build
BIN := $(BUILD)/bin
GOFILES = $(shell find . -name '*.go' -not -path '*/testdata/*' -not -path './$(BUILD)/*')

.PHONY: all tour test lint fmt-check vet staticcheck unit bench-smoke bench bench-start build difftest rootfs clean

all: test

## tour: build and run the guided tour (every lesson, in order)
tour: build
	$(BIN)/tour

## build: build every command into $(BIN)
build:
	$(GO) build -o $(BIN)/ ./cmd/...

## test: formatting, vet, staticcheck, the race-enabled tests (root tests
## included when run as root) and one pass over every benchmark
test: lint unit bench-smoke

## lint: gofmt, go vet and staticcheck over both modules
lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	cd benchmarks && $(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...
	cd benchmarks && $(GO) tool staticcheck ./...

## unit: go test -race over the main module
unit:
	$(GO) test -race $(TESTFLAGS) ./...

## bench-smoke: every benchmark once, so none can rot; the benchmarks
## module's own tests too
bench-smoke:
	cd benchmarks && $(GO) test $(TESTFLAGS) -run '.' -bench . -benchtime 1x ./...

## bench: every defer strategy side by side, COUNT rounds; raw.txt,
## benchstat.txt, report.md and chart.svg/png in $(BUILD)/bench
COUNT ?= 10
bench:
	COUNT=$(COUNT) OUT=$(CURDIR)/$(BUILD)/bench GO=$(GO) bash benchmarks/run.sh

## bench-start: container start, nsinit and runc side by side (as root,
## with runc installed): PAIRS alternating pairs; report.md and chart.svg
## in $(BUILD)/start
PAIRS ?= 20
bench-start:
	cd benchmarks && $(GO) test -count 1 -run 'TestStartReport$$' -v ./containerbench -start-report $(CURDIR)/$(BUILD)/start -start-pairs $(PAIRS)

## rootfs: a ready OCI bundle in $(BUILD)/bundle (config.json and a rootfs
## made of the static multi-call binary cmd/toybox); nothing is downloaded
rootfs:
	mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/toybox ./cmd/toybox
	$(GO) build -o $(BIN)/nsinit ./cmd/nsinit
	rm -rf $(BUILD)/bundle
	$(BIN)/nsinit bundle --toybox $(BIN)/toybox $(BUILD)/bundle

## difftest: compare the defer model with the real toolchain on N generated
## programs from seed SEED; divergences are shrunk and saved as testdata.
## REAL=1 also compares the model's event sequences with the real runtime's
## (defer/realtrace) on every testdata program and REAL_N generated ones
N ?= 10000
SEED ?= 1
REAL ?=
REAL_N ?= 1000
difftest:
	$(GO) test -count 1 -timeout 0 -run 'TestDifferential$$' -v ./defer/difftest -programs $(N) -seed $(SEED) -save
ifneq ($(REAL),)
	$(GO) test -count 1 -timeout 0 -run 'TestRealTraceDifferential$$' -v ./defer/difftest -real-testdata -real-programs $(REAL_N) -seed $(SEED) -save
endif

clean:
	rm -rf $(BUILD)
