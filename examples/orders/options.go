package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// options are the program's flags.
type options struct {
	orders      int
	transport   string
	timeout     time.Duration
	stall       time.Duration
	senders     int
	rate        float64
	slowEvery   int
	slowHandler time.Duration
	printTraces bool
	logLevel    slog.Level
	metricsAddr string
	// healthDetails adds the checks' report to /healthz.
	healthDetails bool
	linger        time.Duration
	kmsKey        string
	publishWait   time.Duration
	provision     string
	topologyDir   string

	store       string
	dsn         string
	tablePrefix string
	maxConns    int
	role        string
	entities    int
	queues      string
	prefix      string
	visibility  time.Duration
	dests       destinations
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("orders", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	defaultTransport := "gochannel"
	if os.Getenv("AWS_ENDPOINT_URL") != "" {
		defaultTransport = "aws"
	}
	fs.IntVar(&o.orders, "n", 100, "number of orders to process")
	fs.StringVar(&o.transport, "transport", defaultTransport, "gochannel, aws (the default when $AWS_ENDPOINT_URL is set) or postgres (SQL transport on the database of -dsn)")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "how long to wait for every order to complete")
	fs.DurationVar(&o.stall, "stall", 0, "with -role driver: give up when no order completes for this long (0: wait until -timeout)")
	fs.IntVar(&o.senders, "senders", 8, "concurrent senders")
	fs.Float64Var(&o.rate, "rate", 0, "with -role driver: send at most this many orders per second (0: as fast as the senders go)")
	fs.IntVar(&o.slowEvery, "slow-every", 0, "with -slow-handler: every this many CreateOrder handlings of an instance is slow (0: none)")
	fs.DurationVar(&o.slowHandler, "slow-handler", 0, "how long a slow CreateOrder handling waits before it runs (see -slow-every)")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelWarn, "log level of the services' slog logger (debug, info, warn, error)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve /metrics (Prometheus), /healthz (readiness: checks the transports and the store, "+
		"at most once per 2s) and /livez (liveness: no dependency) on this address, unauthenticated: "+
		"give a private interface, e.g. 127.0.0.1:9090 or the pod's address, never a public one")
	fs.BoolVar(&o.healthDetails, "health-details", false, "with -metrics-addr: /healthz shows each check's report and error "+
		"(queue, topic and key ARNs, account id, database host), not only {\"up\":…}")
	fs.DurationVar(&o.linger, "linger", 0, "with -metrics-addr: keep serving /metrics and /healthz this long after the run")
	fs.StringVar(&o.kmsKey, "kms-key", "", "with -transport aws: KMS key id, ARN or alias to envelope-encrypt message bodies")
	fs.DurationVar(&o.publishWait, "publish-linger", 0, "with -transport aws: how long a single-message publish waits for others "+
		"to share its SQS or SNS call (awsbus.Config.PublishLinger, 0..100ms; 0 sends at once)")
	fs.StringVar(&o.provision, "provisioning", "create", "with -transport aws or -store dynamodb: create the queues, topics and tables, "+
		"validate that they exist as configured (deployed from an exported template), or assume they do")
	fs.StringVar(&o.topologyDir, "write-topology", "", "with -transport aws: write each service's topology file "+
		"(<service>.topology.yaml, for the sourceflow CLI) into this directory and exit without running")
	fs.BoolVar(&o.printTraces, "print-traces", false, "record spans and print the trace ids (one trace per order)")
	fs.StringVar(&o.store, "store", "memory", "where commands, saga state, views and idempotency records live: memory, sqlite, postgres or dynamodb")
	fs.StringVar(&o.dsn, "dsn", "", "database of -store sqlite or postgres and of -transport postgres (default $SOURCEFLOW_STORE_DSN; "+
		"for postgres then $SOURCEFLOW_POSTGRES_DSN; for sqlite a file in the temp dir)")
	fs.StringVar(&o.tablePrefix, "table-prefix", "sourceflow_", "prefix of the SQL or DynamoDB store's table names")
	fs.IntVar(&o.maxConns, "max-conns", 16, "connections to the SQL store this process opens at most")
	fs.StringVar(&o.role, "role", "all", "all (both services and the sender in one process), or, with -transport aws "+
		"and a shared -store (not memory), orders, payments or driver; -transport gochannel and postgres run only as all")
	fs.IntVar(&o.entities, "entities", 0, "spread the orders over this many entities (0: one entity per order)")
	fs.StringVar(&o.queues, "queues", "fifo", "command queue kind: fifo (orders.fifo, payments.fifo) or standard (orders, payments)")
	fs.StringVar(&o.prefix, "prefix", "", "prefix of the command queues and their dead-letter queues, the topics, the entity ids and the DynamoDB "+
		"outbox names, to keep deployments apart (on one -table-prefix too); an event queue is named <service>-<topic>, "+
		"prefixed through its topic only (-prefix demo- gives orders-demo-order-events and orders-demo-order-events-dlq)")
	fs.DurationVar(&o.visibility, "visibility-timeout", 30*time.Second, "with -transport aws: SQS visibility timeout of the listened queues")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	return o, o.complete()
}

// complete checks the options and fills in what derives from them.
func (o *options) complete() error {
	var err error
	if o.dests, err = newDestinations(o.queues, o.prefix); err != nil {
		return err
	}
	o.dsn = cmp.Or(o.dsn, defaultDSN(o.store, o.transport))
	return o.validate()
}

func (o *options) validate() error {
	errs := o.runProblems()
	switch o.transport {
	case "gochannel", "aws":
	case "postgres":
		if o.store == "sqlite" || o.dsn == "" {
			errs = append(errs, errors.New("-transport postgres needs "+dsnSources+", and -store memory or postgres"))
		}
	default:
		errs = append(errs, fmt.Errorf("-transport %q: want gochannel, aws or postgres", o.transport))
	}
	if (o.kmsKey != "" || o.topologyDir != "" || o.publishWait != 0) && o.transport != "aws" {
		errs = append(errs, errors.New("-kms-key, -write-topology and -publish-linger need -transport aws"))
	}
	if o.provision != "create" && o.transport != "aws" && o.store != "dynamodb" {
		errs = append(errs, errors.New("-provisioning needs -transport aws or -store dynamodb"))
	}
	if _, err := provisioning(o.provision); err != nil {
		errs = append(errs, err)
	}
	switch o.store {
	case "memory", "sqlite", "postgres", "dynamodb":
	default:
		errs = append(errs, fmt.Errorf("-store %q: want memory, sqlite, postgres or dynamodb", o.store))
	}
	if (o.store == "sqlite" || o.store == "postgres") && o.dsn == "" {
		errs = append(errs, fmt.Errorf("-store %s needs %s", o.store, dsnSources))
	}
	switch o.role {
	case "all":
	case "orders", "payments", "driver":
		if o.transport != "aws" || o.store == "memory" {
			errs = append(errs, fmt.Errorf("-role %s needs -transport aws and a shared -store (-transport gochannel and postgres run only as -role all)", o.role))
		}
	default:
		errs = append(errs, fmt.Errorf("-role %q: want all, orders, payments or driver", o.role))
	}
	return errors.Join(errs...)
}

// runProblems are the problems of the flags that size and pace the run.
func (o *options) runProblems() []error {
	var errs []error
	if o.orders < 1 || o.senders < 1 {
		errs = append(errs, errors.New("-n and -senders must be at least 1"))
	}
	if o.entities < 0 || o.entities > o.orders || o.maxConns < 1 {
		errs = append(errs, errors.New("-entities must be 0..n and -max-conns at least 1"))
	} else if o.entities > 0 && (o.orders+o.entities-1)/o.entities > maxPaidOrders {
		errs = append(errs, fmt.Errorf("-n %d over -entities %d is more than %d orders per entity, the most the payment saga keeps: give more entities",
			o.orders, o.entities, maxPaidOrders))
	}
	if o.stall < 0 || o.rate < 0 || o.slowEvery < 0 || o.slowHandler < 0 {
		errs = append(errs, errors.New("-stall, -rate, -slow-every and -slow-handler must not be negative"))
	}
	if (o.stall != 0 || o.rate != 0) && o.role != "driver" {
		errs = append(errs, errors.New("-rate and -stall need -role driver: no other role reads them"))
	}
	if o.timeout <= 0 || o.linger < 0 {
		errs = append(errs, errors.New("-timeout must be above zero and -linger not negative"))
	}
	if o.linger > 0 && o.metricsAddr == "" {
		errs = append(errs, errors.New("-linger needs -metrics-addr: it keeps serving /metrics and /healthz"))
	}
	if o.healthDetails && o.metricsAddr == "" {
		errs = append(errs, errors.New("-health-details needs -metrics-addr: it is what /healthz shows"))
	}
	if (o.slowEvery == 0) != (o.slowHandler == 0) {
		errs = append(errs, errors.New("-slow-every and -slow-handler go together"))
	}
	return errs
}

// dsnSources names where a PostgreSQL DSN may come from, in the order
// defaultDSN reads them.
const dsnSources = "-dsn, $SOURCEFLOW_STORE_DSN or $SOURCEFLOW_POSTGRES_DSN"

// defaultDSN is the database a SQL store or the SQL transport uses when
// -dsn is not given.
func defaultDSN(store, transport string) string {
	if dsn := os.Getenv("SOURCEFLOW_STORE_DSN"); dsn != "" || ((store == "memory" || store == "dynamodb") && transport != "postgres") {
		return dsn
	}
	if store != "sqlite" {
		return os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	}
	return filepath.Join(os.TempDir(), "sourceflow-orders.db")
}
