package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	idemdynamo "github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
)

// dynamoConfigs are the configurations of the state and idempotency stores
// of -store dynamodb: tables named with -table-prefix, one client.
func dynamoConfigs(opts options, client *dynamodb.Client, mode topology.Provisioning) (dynamostore.Config, idemdynamo.Config) {
	return dynamostore.Config{Client: client, TablePrefix: opts.tablePrefix, Provisioning: mode},
		idemdynamo.Config{Client: client, Table: opts.tablePrefix + "idempotency", Provisioning: mode}
}

// openDynamoStores opens the DynamoDB stores (provisioning their tables as
// -provisioning says), the idempotency store on the same client and the
// outbox (see stores.withOutbox), so that a handled message's saga state,
// the events it raises and its idempotency completion are written by one
// TransactWriteItems. The client comes from
// the SDK's default configuration chain (AWS_ENDPOINT_URL_DYNAMODB points it
// at an emulator).
func openDynamoStores(ctx context.Context, opts options) (*stores, error) {
	mode, err := provisioning(opts.provision)
	if err != nil {
		return nil, err
	}
	awsCfg, err := loadAWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	client := dynamodb.NewFromConfig(awsCfg)
	stateCfg, idemCfg := dynamoConfigs(opts, client, mode)
	st, err := dynamostore.New(ctx, stateCfg)
	if err != nil {
		return nil, fmt.Errorf("open the DynamoDB store: %w", err)
	}
	idem, err := idemdynamo.New(ctx, idemCfg)
	if err != nil {
		return nil, fmt.Errorf("open the DynamoDB idempotency store: %w", err)
	}
	retries := func() (throttled, conflicts int64) {
		a, b := st.RetryStats(), idem.RetryStats()
		return a.Throttled + b.Throttled, a.Conflicts + b.Conflicts
	}
	outbox := func(service string, inner cqrs.Transport) (cqrs.Transport, error) {
		return dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{Transport: inner, Name: service, Logger: newLogger(opts)})
	}
	return &stores{
		commands: st.Commands(), entities: st.Entities(), views: st.Views(), idem: idem, kind: "dynamodb",
		retries: retries, outbox: outbox, health: dynamoHealth(client, st.Tables()[0].Name), close: func() error { return nil },
	}, nil
}
