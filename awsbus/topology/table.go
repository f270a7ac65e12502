package topology

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Table is a DynamoDB table a store keeps state in. Tables are created with
// on-demand capacity (PAY_PER_REQUEST) and string keys.
type Table struct {
	// Name is the table name: 3 to 255 letters, digits, "_", "-" or ".".
	Name string `json:"name" yaml:"name"`
	// PartitionKey and SortKey name the key attributes, both strings;
	// SortKey is empty for a table without one.
	PartitionKey string `json:"partition_key" yaml:"partition_key"`
	SortKey      string `json:"sort_key,omitempty" yaml:"sort_key,omitempty"`
	// TTLAttribute names the attribute DynamoDB's time to live reads (epoch
	// seconds), or is empty for none.
	TTLAttribute string `json:"ttl_attribute,omitempty" yaml:"ttl_attribute,omitempty"`
}

// tableName is what DynamoDB accepts as a table name.
var tableName = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

// ValidateTableName reports a name DynamoDB refuses as a table name.
func ValidateTableName(name string) error {
	if !tableName.MatchString(name) {
		return fmt.Errorf("%w: table %q (3 to 255 letters, digits, _ - .)", ErrInvalidName, name)
	}
	return nil
}

// Validate reports what DynamoDB would refuse in t: its name and key names
// (a sort key may not repeat the partition key).
func (t Table) Validate() error {
	errs := []error{ValidateTableName(t.Name)}
	if t.PartitionKey == "" {
		errs = append(errs, fmt.Errorf("table %q: no partition key", t.Name))
	}
	if t.SortKey != "" && t.SortKey == t.PartitionKey {
		errs = append(errs, fmt.Errorf("table %q: partition key and sort key are both %q; DynamoDB needs two attributes", t.Name, t.SortKey))
	}
	for _, attr := range []string{t.PartitionKey, t.SortKey, t.TTLAttribute} {
		if len(attr) > 255 {
			errs = append(errs, fmt.Errorf("table %q: attribute name %q is over 255 bytes", t.Name, attr))
		}
	}
	return errors.Join(errs...)
}

// planTables validates tables and returns them sorted by name, each once;
// two different tables of one name are an error.
func planTables(tables []Table) ([]Table, error) {
	var errs []error
	byName := map[string]Table{}
	for _, t := range tables {
		if err := t.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := byName[t.Name]; ok && prev != t {
			errs = append(errs, fmt.Errorf("table %q declared twice, differently: %+v and %+v", t.Name, prev, t))
		}
		byName[t.Name] = t
	}
	out := slices.SortedFunc(maps.Values(byName), func(a, b Table) int { return strings.Compare(a.Name, b.Name) })
	return out, errors.Join(errs...)
}

// TablesAPI is the part of *dynamodb.Client that table provisioning calls.
type TablesAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	ListTagsOfResource(ctx context.Context, in *dynamodb.ListTagsOfResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error)
	TagResource(ctx context.Context, in *dynamodb.TagResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error)
}

var _ TablesAPI = (*dynamodb.Client)(nil)
