package dynamostore

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// DefaultTable is the Table used when none is configured.
const DefaultTable = "sourceflow_idempotency"

// MaxKeyLength is the longest consumer name or message id, in bytes, that
// the store accepts (both make the 2,048-byte partition key).
const MaxKeyLength = 1000

// Config configures a Store.
type Config struct {
	// Client is the DynamoDB client. Required. Give the state stores
	// (cqrs/dynamostore) the same client so that a handling transaction
	// spans them.
	Client *dynamodb.Client
	// Table is the table name. Default "sourceflow_idempotency".
	Table string
	// Provisioning says what New does with the table: create it when missing
	// (topology.ProvisionCreate, the default), report it missing or
	// different as drift (ProvisionValidate), or neither (ProvisionAssume),
	// which only reads the table's key schema (dynamodb:DescribeTable) and
	// fails on a missing table or one whose keys are not the store's,
	// since every claim in it would be refused. Create does not move a
	// time to live that is on another attribute (DynamoDB refuses while it
	// is on, and moving it changes which items expire): New fails then
	// with a *topology.DriftError naming the table, that attribute and
	// expires_at, as no record would ever expire; disable it, wait until
	// DynamoDB says DISABLED, and start again. Create leaves a time to live
	// being disabled: the store works (it compares expiry times itself),
	// but DynamoDB deletes no expired record until the time to live is on
	// expires_at; `sourceflow validate` reports it.
	Provisioning topology.Provisioning
	// Clock is the time source of leases and TTLs: DynamoDB conditions
	// compare times the instances write, so their clocks must agree to well
	// within a lease. Default sourceflow.SystemClock().
	Clock sourceflow.Clock
	// Tags are put on the tables New creates, and filled in where an
	// existing table lacks them (a value already set is kept: services
	// share the tables). Validate mode reports a tag that differs. At most
	// topology.MaxTags; keys may not start with "aws:". Optional.
	Tags map[string]string
}

func (c *Config) setDefaults() {
	c.Table = cmp.Or(c.Table, DefaultTable)
	if c.Clock == nil {
		c.Clock = sourceflow.SystemClock()
	}
}

// Validate reports every invalid field.
func (c Config) Validate() error {
	var errs []error
	if c.Client == nil {
		errs = append(errs, errors.New("Client is required"))
	}
	if c.Table != "" {
		if err := topology.ValidateTableName(c.Table); err != nil {
			errs = append(errs, fmt.Errorf("Table: %w", err))
		}
	}
	errs = append(errs, c.Provisioning.Validate())
	if len(c.Tags) > 0 {
		errs = append(errs, topology.Options{Tags: c.Tags}.Validate())
	}
	return errors.Join(errs...)
}
