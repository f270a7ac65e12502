package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/redact"
)

// dynamoFlags name the outbox a dynamo command works on.
type dynamoFlags struct {
	tablePrefix string
	outbox      string
}

// addDynamoFlags adds --table-prefix and --outbox, both required.
func addDynamoFlags(cmd *cobra.Command, f *dynamoFlags) {
	cmd.Flags().StringVar(&f.tablePrefix, "table-prefix", "", "the stores' Config.TablePrefix (sourceflow_ by default): the outbox table is <prefix>outbox")
	cmd.Flags().StringVar(&f.outbox, "outbox", "", "the outbox, by its OutboxConfig.Name (dynamobackend: <OutboxPrefix><service>)")
	_ = cmd.MarkFlagRequired("table-prefix")
	_ = cmd.MarkFlagRequired("outbox")
}

// check refuses an empty --table-prefix or --outbox, or a prefix that
// makes no DynamoDB table name, as a usage error.
func (f dynamoFlags) check() error {
	if f.tablePrefix == "" || f.outbox == "" {
		return &ExitError{Code: ExitUsage, Err: errors.New("name the outbox: --table-prefix P (the stores' Config.TablePrefix, such as sourceflow_) and --outbox NAME (its OutboxConfig.Name)")}
	}
	if len(f.outbox) > 200 {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--outbox: %d bytes, want at most 200 (OutboxConfig.Name)", len(f.outbox))}
	}
	if err := topology.ValidateTableName(dynamostore.OutboxTable(dynamostore.Config{TablePrefix: f.tablePrefix}).Name); err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--table-prefix %s: %w", printable(f.tablePrefix), err)}
	}
	return nil
}

// dynamoConn is the outbox a dynamo command works on, with where it is for
// messages.
type dynamoConn struct {
	outbox             *dynamostore.Outbox
	api                *dynamodb.Client
	s                  *session
	f                  dynamoFlags
	region, endpointAt string
}

// where names the outbox table and the region (and endpoint) it is in.
func (c *dynamoConn) where() string {
	return fmt.Sprintf("table %s in %s", printable(c.f.tablePrefix+"outbox"), c.region+c.endpointAt)
}

// failure is the error of a failed DynamoDB call of the command what
// (exit 3; 130 when interrupted): what to check, as for every AWS call,
// with the DynamoDB client's region and endpoint.
func (c *dynamoConn) failure(what string, err error) error {
	region, endpoint := c.s.clientTarget(dynamodb.ServiceID)
	return c.s.awsFailureAt(what, err, region, endpoint)
}

// runDynamo bounds cmd by --timeout, opens the outbox f names, and runs fn
// on it. It creates nothing: a missing table is a usage error (exit 2).
func (g *globals) runDynamo(cmd *cobra.Command, f dynamoFlags, fn func(ctx context.Context, c *dynamoConn) error) error {
	if err := f.check(); err != nil {
		return err
	}
	if err := g.checkTimeout(); err != nil {
		return err
	}
	ctx, cancel := g.withTimeout(cmd)
	defer cancel()
	c, err := g.openDynamo(ctx, "dynamo "+cmd.Name(), f)
	if err != nil {
		return err
	}
	defer func() { _ = c.outbox.Close() }()
	return fn(ctx, c)
}

// openDynamo builds the DynamoDB client as every command does and reads
// the description of the stores' tables and the outbox table
// (topology.ProvisionAssume): it fails, creating nothing, on one missing.
func (g *globals) openDynamo(ctx context.Context, what string, f dynamoFlags) (*dynamoConn, error) {
	clients, err := g.cfg.Clients(ctx)
	if err == nil {
		err = clients.Validate()
	}
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	api, ok := clients.DynamoDB.(*dynamodb.Client)
	if !ok {
		return nil, &ExitError{Code: ExitUsage, Err: errors.New("no DynamoDB client: Clients.DynamoDB must be a *dynamodb.Client")}
	}
	c := &dynamoConn{api: api, f: f, s: &session{clients: clients}, region: cmp.Or(api.Options().Region, clients.Region)}
	if e := aws.ToString(api.Options().BaseEndpoint); e != "" {
		c.endpointAt = " at " + redact.Endpoint(e)
	}
	st, err := dynamostore.New(ctx, dynamostore.Config{Client: api, TablePrefix: f.tablePrefix, Provisioning: topology.ProvisionAssume})
	if err == nil {
		c.outbox, err = dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{Transport: unboundTransport{}, Name: f.outbox})
	}
	switch {
	case errors.Is(err, topology.ErrNotFound):
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w\nno table to read in %s: check --table-prefix "+
			"(the stores' Config.TablePrefix), the region and the endpoint; this command creates no table", what, err, c.region+c.endpointAt)}
	case err != nil:
		return nil, c.failure(what, err)
	}
	return c, nil
}

// unboundTransport is the inner transport of the Outbox the dynamo
// commands read: never bound, so the Outbox starts no sweep and relays
// nothing.
type unboundTransport struct{}

var errUnbound = errors.New("the operations CLI relays no message")

func (unboundTransport) Bind(context.Context, sourceflow.Binding) error { return errUnbound }
func (unboundTransport) Publisher(string) (message.Publisher, error)    { return nil, errUnbound }
func (unboundTransport) Subscriber(string) (message.Subscriber, error)  { return nil, errUnbound }
func (unboundTransport) Close() error                                   { return nil }
