package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/dynamobackend"
)

// openDynamoStores opens the DynamoDB stores and the idempotency store on
// one client (provisioning their tables as -provisioning says) and, with
// outbox, puts an outbox in front of each service's transport, so that a
// handled message's saga state, the events it raises and its idempotency
// completion are written by one TransactWriteItems. Each outbox is named
// from -prefix (<prefix><service>), so that deployments that -prefix keeps
// apart on one -table-prefix relay each their own messages. The client
// comes from the SDK's default configuration chain
// (AWS_ENDPOINT_URL_DYNAMODB points it at an emulator).
func openDynamoStores(ctx context.Context, opts options, outbox bool) (*stores, error) {
	mode, err := provisioning(opts.provision)
	if err != nil {
		return nil, err
	}
	awsCfg, err := loadAWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	client := dynamodb.NewFromConfig(awsCfg)
	b, err := dynamobackend.New(ctx, dynamobackend.Config{
		Client: client, TablePrefix: opts.tablePrefix, Provisioning: mode, Outbox: outbox, Logger: newLogger(opts),
		OutboxPrefix: opts.prefix,
	})
	if err != nil {
		return nil, fmt.Errorf("open the DynamoDB store: %w", err)
	}
	return &stores{
		backend: b, kind: "dynamodb", retries: b.RetryStats,
		health: storeHealth("dynamodb", b.Check),
	}, nil
}
