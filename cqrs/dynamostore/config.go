package dynamostore

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// DefaultTablePrefix is the TablePrefix used when none is configured.
const DefaultTablePrefix = "sourceflow_"

// MaxKeyLength is the longest entity id, message id, kind or document id, in
// bytes, that the stores accept (DynamoDB's sort key takes 1,024 bytes; the
// stores prefix what they put there).
const MaxKeyLength = 1000

// Config configures a Store.
type Config struct {
	// Client is the DynamoDB client. Required. Give the idempotency store
	// (idempotency/dynamostore) the same client: a handling transaction
	// spans the stores on one client.
	Client *dynamodb.Client
	// TablePrefix starts the name of every table: <prefix>commands,
	// <prefix>entities, <prefix>views, and <prefix>outbox when an Outbox
	// is used. Default "sourceflow_".
	TablePrefix string
	// Provisioning says what New does with the tables: create what is
	// missing (topology.ProvisionCreate, the default), report any missing
	// table or difference as drift (ProvisionValidate), or neither
	// (ProvisionAssume), which only reads each table's key schema
	// (dynamodb:DescribeTable) and fails on a missing table or one whose
	// keys are not the stores', since every write to it would be refused.
	Provisioning topology.Provisioning
	// Tags are put on the tables New creates, and filled in where an
	// existing table lacks them (a value already set is kept: services
	// share the tables). Validate mode reports a tag that differs. At most
	// topology.MaxTags; keys may not start with "aws:". Optional.
	Tags map[string]string
}

func (c *Config) setDefaults() {
	c.TablePrefix = cmp.Or(c.TablePrefix, DefaultTablePrefix)
}

// Validate reports every invalid field.
func (c Config) Validate() error {
	var errs []error
	if c.Client == nil {
		errs = append(errs, errors.New("Client is required"))
	}
	if err := topology.ValidateTableName(c.TablePrefix + "entities"); err != nil {
		errs = append(errs, fmt.Errorf("TablePrefix %q does not make DynamoDB table names: %w", c.TablePrefix, err))
	}
	errs = append(errs, c.Provisioning.Validate())
	if len(c.Tags) > 0 {
		errs = append(errs, topology.Options{Tags: c.Tags}.Validate())
	}
	return errors.Join(errs...)
}
