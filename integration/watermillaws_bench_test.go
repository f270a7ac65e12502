//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// benchTransport builds the transport of one service instance, its clients
// built from awsCfg.
type benchTransport struct {
	name string
	new  func(awsCfg aws.Config) (cqrs.Transport, error)
}

var benchTransports = []benchTransport{
	{"awsbus", func(c aws.Config) (cqrs.Transport, error) { return awsbus.NewTransportFromAWS(c, awsbus.Config{}) }},
	{"watermill-aws (defaults)", func(c aws.Config) (cqrs.Transport, error) {
		return newWatermillAWSTransport(c, watermillAWSOptions{})
	}},
	{"watermill-aws (10 workers, 10 per receive)", func(c aws.Config) (cqrs.Transport, error) {
		return newWatermillAWSTransport(c, watermillAWSOptions{ConsumeWorkers: 10, MaxMessages: 10})
	}},
}

// benchScenario is one kind of destination.
type benchScenario struct {
	name string
	kind sourceflow.Kind
	fifo bool
}

var benchScenarios = []benchScenario{
	{"SQS standard", sourceflow.KindCommand, false},
	{"SQS FIFO", sourceflow.KindCommand, true},
	{"SNS→SQS", sourceflow.KindEvent, false},
}

// benchSizes are the message counts of one run, from the environment:
// SOURCEFLOW_BENCH_MESSAGES (throughput phase, default 500),
// SOURCEFLOW_BENCH_LATENCY_MESSAGES (default 100) and
// SOURCEFLOW_BENCH_RATE (messages per second of the latency phase, default 20).
type benchSizes struct {
	messages, latencyMessages, rate int
}

func benchSizesFromEnv() benchSizes {
	get := func(key string, def int) int {
		if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
			return n
		}
		return def
	}
	return benchSizes{
		messages:        get("SOURCEFLOW_BENCH_MESSAGES", 500),
		latencyMessages: get("SOURCEFLOW_BENCH_LATENCY_MESSAGES", 100),
		rate:            get("SOURCEFLOW_BENCH_RATE", 20),
	}
}

// BenchmarkTransportsOnAWS compares awsbus with watermill-aws (through
// cqrs.PubSubTransport, with its defaults and tuned) on the emulator, for
// SQS standard and FIFO queues and SNS→SQS: end-to-end and publish-only
// throughput, SQS+SNS API calls per delivered message, publish-to-handler
// latency at a fixed rate, and lost and duplicated messages. It runs the
// whole matrix once, whatever b.N, and writes a Markdown table and an SVG
// chart to SOURCEFLOW_BENCH_RESULTS (default bench/results).
func BenchmarkTransportsOnAWS(b *testing.B) {
	sizes := benchSizesFromEnv()
	awsCfg := awsConfigB(b)
	var rows []benchRow
	for _, sc := range benchScenarios {
		for _, tr := range benchTransports {
			row, err := runBenchScenario(awsCfg, tr, sc, sizes)
			if err != nil {
				b.Fatalf("%s, %s: %v", tr.name, sc.name, err)
			}
			b.Logf("%s, %s: %+v", tr.name, sc.name, row)
			rows = append(rows, row)
		}
	}
	dir := os.Getenv("SOURCEFLOW_BENCH_RESULTS")
	if dir == "" {
		dir = "../bench/results"
	}
	paths, err := writeBenchResults(dir, sizes, rows)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("results: %v", paths)
	reportBenchRatio(b, rows)
}

// reportBenchRatio reports the headline figures on the benchmark line: SQS
// standard calls and CPU time per message of each transport, and awsbus's
// CPU per message as a share of watermill-aws's (defaults).
func reportBenchRatio(b *testing.B, rows []benchRow) {
	cpu := map[string]time.Duration{}
	for _, r := range rows {
		if r.Scenario == benchScenarios[0].name {
			b.ReportMetric(r.CallsPerMsg, fmt.Sprintf("calls/msg(%s)", benchUnit(r.Transport)))
			b.ReportMetric(float64(r.CPUPerMsg.Microseconds()), fmt.Sprintf("cpu_µs/msg(%s)", benchUnit(r.Transport)))
			cpu[r.Transport] = r.CPUPerMsg
		}
	}
	if wm := cpu[benchTransports[1].name]; wm > 0 {
		b.ReportMetric(float64(cpu[benchTransports[0].name])/float64(wm), "cpu_ratio(awsbus/watermill-aws)")
	}
}

// benchUnit makes a transport name usable in a metric unit.
func benchUnit(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == ' ' || r == '(' || r == ')' || r == ',' {
			r = '_'
		}
		out = append(out, r)
	}
	return string(out)
}

// awsConfigB loads the SDK configuration from the environment, as
// awsConfig does for tests.
func awsConfigB(b *testing.B) aws.Config {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		b.Fatalf("load AWS config: %v", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg
}

// benchDeadline bounds each wait of a scenario.
const benchDeadline = 5 * time.Minute

// benchCtx is the context of one scenario's setup calls.
func benchCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), benchDeadline)
}
