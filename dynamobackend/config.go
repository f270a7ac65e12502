package dynamobackend

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	idemdynamo "github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
)

// ErrInvalidConfig is returned by New and Validate for a configuration that
// cannot work; it is the DynamoDB stores' own dynamostore.ErrInvalidConfig.
var ErrInvalidConfig = dynamostore.ErrInvalidConfig

// Config configures a Backend.
type Config struct {
	// Client is the DynamoDB client every store uses, so that a handling
	// transaction spans them. Required.
	Client *dynamodb.Client
	// TablePrefix starts the name of every table: the stores' (see
	// dynamostore.Config.TablePrefix), <prefix>idempotency and, with
	// Outbox, <prefix>outbox. Default dynamostore.DefaultTablePrefix
	// ("sourceflow_").
	TablePrefix string
	// Provisioning says what New (and Configure, for the outbox's table)
	// does with the tables: create what is missing (the default), validate
	// them or assume them (topology.Provisioning).
	Provisioning topology.Provisioning
	// Tags are put on the tables created, as dynamostore.Config.Tags says.
	// Optional.
	Tags map[string]string
	// Outbox puts a dynamostore.Outbox in front of the transport of each
	// service Configure configures, so that a saga's state, the events it
	// raised and the idempotency completion are written by one
	// TransactWriteItems, the events going out once it committed. Off by
	// default: a saga's events are then published before its state is
	// saved.
	Outbox bool
	// OutboxPrefix starts the name of each service's outbox in the outbox
	// table (dynamostore.OutboxConfig.Name: <OutboxPrefix><service name>).
	// Deployments that share the tables (one TablePrefix) and run services
	// of the same names need each their own, or their outboxes are one: a
	// sweep then relays the other deployment's messages through its own
	// transport, which has no publisher for their destinations. Optional:
	// without it an outbox is named after its service. At most 199 bytes.
	// Changing it on a running deployment renames its outboxes: what the
	// old names still hold is swept by no one. Stop the senders and let
	// the sweep empty the outboxes first (or Redrive into the new name
	// with a tool of your own), as for a service's rename.
	OutboxPrefix string
	// Logger logs the outboxes. Default: theirs (discard).
	Logger watermill.LoggerAdapter
}

// maxOutboxName is the most bytes dynamostore.OutboxConfig.Name takes.
const maxOutboxName = 200

func (c *Config) setDefaults() {
	c.TablePrefix = cmp.Or(c.TablePrefix, dynamostore.DefaultTablePrefix)
}

// Validate reports every invalid field at once, as ErrInvalidConfig. It
// makes no request.
func (c Config) Validate() error {
	c.setDefaults()
	// The idempotency store's table is checked once the stores' settings,
	// which it shares, are valid, so that a problem is reported once.
	err := c.storeConfig().Validate()
	if err == nil {
		err = c.idempotencyConfig().Validate()
	}
	if len(c.OutboxPrefix) >= maxOutboxName {
		err = errors.Join(err, fmt.Errorf("OutboxPrefix: %d bytes, want at most %d (an outbox's name, the prefix and the service's name, takes at most %d)",
			len(c.OutboxPrefix), maxOutboxName-1, maxOutboxName))
	}
	if err != nil {
		return fmt.Errorf("dynamobackend: %w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// storeConfig is the configuration of the command, entity and view stores.
func (c Config) storeConfig() dynamostore.Config {
	return dynamostore.Config{Client: c.Client, TablePrefix: c.TablePrefix, Provisioning: c.Provisioning, Tags: c.Tags}
}

// idempotencyConfig is the configuration of the idempotency store, on the
// stores' client.
func (c Config) idempotencyConfig() idemdynamo.Config {
	return idemdynamo.Config{Client: c.Client, Table: c.TablePrefix + "idempotency", Provisioning: c.Provisioning, Tags: c.Tags}
}

// Tables returns the tables a Backend of cfg uses: the stores', the
// idempotency store's and, with Outbox, the outbox's, for infrastructure
// as code (topology.File.Tables) or a least-privilege policy.
func Tables(cfg Config) []topology.Table {
	cfg.setDefaults()
	tables := append(dynamostore.Tables(cfg.storeConfig()), idemdynamo.TableOf(cfg.idempotencyConfig()))
	if cfg.Outbox {
		tables = append(tables, dynamostore.OutboxTable(cfg.storeConfig()))
	}
	return tables
}
