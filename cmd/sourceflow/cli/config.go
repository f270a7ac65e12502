package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// DefaultTimeout bounds a whole command unless --timeout says otherwise.
const DefaultTimeout = 2 * time.Minute

// Clients are the AWS clients a command uses, and where they point.
//
// The dlq commands and health bound each AWS call by --check-timeout by
// adding an SDK middleware to a copy of each client that is the SDK's own
// (*sqs.Client, *sns.Client, *sts.Client, *kms.Client, *dynamodb.Client).
// Any other implementation, a wrapper of an SDK client included, is called
// as given, bounded by --timeout alone: an endpoint that does not answer
// then holds the command until --timeout. To keep the bound, pass the SDK
// clients themselves (add instrumentation through their APIOptions), or
// bound the calls in the wrapper.
type Clients struct {
	// SQS reads and creates queues. Required.
	SQS topology.SQSAPI
	// SNS reads and creates topics and subscriptions. Required.
	SNS topology.SNSAPI
	// STS finds the account when no queue ARN gives it. Optional.
	STS topology.STSAPI
	// DynamoDB creates and describes the topology's tables. Required when
	// the topology file has tables.
	DynamoDB topology.TablesAPI
	// KMS reads the file's KMS key: validate, plan and apply report a key
	// that is missing, disabled or whose policy does not let SNS use it.
	// Optional: without it the key is not checked.
	KMS topology.KMSAPI
	// Region is the clients' region. Required.
	Region string
	// AccountID is the account of the resources, used to build topic ARNs
	// when no queue exists yet to read it from. Optional: STS
	// GetCallerIdentity finds it.
	AccountID string
	// Endpoint is the endpoint override the SQS client calls
	// (AWS_ENDPOINT_URL_SQS, else AWS_ENDPOINT_URL), shown in the output
	// without its password; empty for AWS itself. Validate refuses
	// one that does not parse as a URL or names no scheme://host, which no
	// AWS call could use.
	Endpoint string
}

// ClientsFn returns the clients of a command. It runs only after the
// topology file was read, so an invalid file never needs AWS.
type ClientsFn func(ctx context.Context) (Clients, error)

// Config configures the CLI.
type Config struct {
	// Clients returns the AWS clients. Default LoadClients, the SDK's
	// default chain.
	Clients ClientsFn
	// Stdin is read by "-f -". Default os.Stdin.
	Stdin io.Reader
	// Stdout receives the commands' output. Default os.Stdout.
	Stdout io.Writer
	// Stderr receives errors. Default os.Stderr.
	Stderr io.Writer
	// Now is the clock of the machine the command runs on: dlq redrive's
	// and dynamo redrive's --before and --after given as a duration count
	// back from it (sql redrive's from the database's time). Default
	// time.Now.
	Now func() time.Time
}

func (c *Config) setDefaults() {
	if c.Clients == nil {
		c.Clients = LoadClients
	}
	if c.Stdin == nil {
		c.Stdin = os.Stdin
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports what the clients lack, each naming its field
// ("cli: Clients.SQS is required").
func (c Clients) Validate() error {
	problems := []error{
		fieldcheck.Set("Clients.SQS", c.SQS), fieldcheck.Set("Clients.SNS", c.SNS),
		fieldcheck.Required("Clients.Region", c.Region != ""),
		// An optional client holding a nil pointer is not left out as an
		// unset one is: its first call would panic.
		fieldcheck.NotTypedNil("Clients.STS", c.STS), fieldcheck.NotTypedNil("Clients.DynamoDB", c.DynamoDB),
		fieldcheck.NotTypedNil("Clients.KMS", c.KMS),
	}
	if u, err := url.Parse(c.Endpoint); err != nil {
		// The parser's error quotes the endpoint, and with it a password.
		problems = append(problems, fmt.Errorf("Clients.Endpoint (%s): not a URL, and no AWS call could use it "+
			"(not shown: it may hold a password); percent-encode any /, ?, #, %% or @ in its user or password", endpointSource(c.Endpoint)))
	} else if c.Endpoint != "" && u.Host == "" {
		// user:password@host:4566 would parse as a URL of scheme "user"
		// and no host, as would user:password@host://x.
		problems = append(problems, fmt.Errorf("Clients.Endpoint (%s): no scheme://host, and no AWS call could use it "+
			"(not shown: it may hold a password); write it as http://host:port or https://host", endpointSource(c.Endpoint)))
	}
	var errs []error
	for _, err := range problems {
		if err != nil {
			errs = append(errs, fmt.Errorf("cli: %w", err))
		}
	}
	return errors.Join(errs...)
}
