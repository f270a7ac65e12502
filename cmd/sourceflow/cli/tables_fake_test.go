package cli_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// fakeTables is a DynamoDB of table descriptions, enough for the CLI's
// table provisioning: tables are active once created, and creating one
// that exists fails as DynamoDB does.
type fakeTables struct {
	mu     sync.Mutex
	tables map[string]types.TableDescription
	ttl    map[string]string // table → attribute with time to live on
	tags   map[string]map[string]string
}

var _ topology.TablesAPI = (*fakeTables)(nil)

func newFakeTables() *fakeTables {
	return &fakeTables{tables: map[string]types.TableDescription{}, ttl: map[string]string{}, tags: map[string]map[string]string{}}
}

// put adds a table made elsewhere, with billing mode and key schema keys.
func (f *fakeTables) put(name string, billing types.BillingMode, keys ...types.KeySchemaElement) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tables[name] = types.TableDescription{TableName: aws.String(name), TableArn: aws.String(tableARN(name)),
		KeySchema: keys, TableStatus: types.TableStatusActive,
		BillingModeSummary: &types.BillingModeSummary{BillingMode: billing}}
}

func (f *fakeTables) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	name := aws.ToString(in.TableName)
	f.mu.Lock()
	_, ok := f.tables[name]
	f.mu.Unlock()
	if ok {
		return nil, &types.ResourceInUseException{Message: aws.String("Table already exists: " + name)}
	}
	f.put(name, in.BillingMode, in.KeySchema...)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tags[tableARN(name)] = map[string]string{}
	for _, t := range in.Tags {
		f.tags[tableARN(name)][aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &dynamodb.CreateTableOutput{}, nil
}

func tableARN(name string) string { return "arn:aws:dynamodb:us-east-1:111122223333:table/" + name }

func (f *fakeTables) ListTagsOfResource(_ context.Context, in *dynamodb.ListTagsOfResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &dynamodb.ListTagsOfResourceOutput{}
	for k, v := range f.tags[aws.ToString(in.ResourceArn)] {
		out.Tags = append(out.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out, nil
}

func (f *fakeTables) TagResource(_ context.Context, in *dynamodb.TagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.ResourceArn)
	if f.tags[arn] == nil {
		f.tags[arn] = map[string]string{}
	}
	for _, t := range in.Tags {
		f.tags[arn][aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &dynamodb.TagResourceOutput{}, nil
}

func (f *fakeTables) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	desc, ok := f.tables[aws.ToString(in.TableName)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
	}
	return &dynamodb.DescribeTableOutput{Table: &desc}, nil
}

func (f *fakeTables) UpdateTimeToLive(_ context.Context, in *dynamodb.UpdateTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, attr := aws.ToString(in.TableName), aws.ToString(in.TimeToLiveSpecification.AttributeName)
	if on, ok := f.ttl[name]; ok && on != attr { // as DynamoDB refuses it
		return nil, &smithy.GenericAPIError{Code: "ValidationException",
			Message: "TimeToLive is active on a different AttributeName: current AttributeName is " + on}
	}
	f.ttl[name] = attr
	return &dynamodb.UpdateTimeToLiveOutput{}, nil
}

func (f *fakeTables) DescribeTimeToLive(_ context.Context, in *dynamodb.DescribeTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}
	if attr, ok := f.ttl[aws.ToString(in.TableName)]; ok {
		d.TimeToLiveStatus, d.AttributeName = types.TimeToLiveStatusEnabled, aws.String(attr)
	}
	return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: d}, nil
}

// runWithTables runs the command line args as run does, with tables as
// the DynamoDB client.
func (f *fakeAWS) runWithTables(t *testing.T, tables topology.TablesAPI, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cfg, out, errOut := f.config("")
	clients := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.DynamoDB = tables
		return c, err
	}
	code = cli.Run(context.Background(), cfg, args)
	return out.String(), errOut.String(), code
}
