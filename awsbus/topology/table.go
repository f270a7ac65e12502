package topology

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Table is a DynamoDB table a store keeps state in. Tables are created with
// on-demand capacity (PAY_PER_REQUEST) and string keys.
type Table struct {
	// Name is the table name.
	Name string `json:"name"`
	// PartitionKey and SortKey name the key attributes, both strings;
	// SortKey is empty for a table without one.
	PartitionKey string `json:"partition_key"`
	SortKey      string `json:"sort_key,omitempty"`
	// TTLAttribute names the attribute DynamoDB's time to live reads (epoch
	// seconds), or is empty for none.
	TTLAttribute string `json:"ttl_attribute,omitempty"`
}

// TablesAPI is the part of *dynamodb.Client that table provisioning calls.
type TablesAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
}

var _ TablesAPI = (*dynamodb.Client)(nil)
