package dynamobackend_test

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
)

// NewService builds a service whose state DynamoDB keeps: the
// configuration and the construction in one call, so the service cannot
// be left on memory stores. (It needs DynamoDB, so it is not run here.)
func ExampleBackend_NewService() {
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		panic(err)
	}
	b, err := dynamobackend.New(ctx, dynamobackend.Config{Client: dynamodb.NewFromConfig(awsCfg), TablePrefix: "orders_"})
	if err != nil {
		panic(err)
	}
	defer b.Close() // after the service's Close
	svc, err := b.NewService(ctx, cqrs.ServiceConfig{Name: "orders", Listen: []string{"orders.fifo"}})
	if err != nil {
		panic(err)
	}
	defer svc.Close()
	// Register the types and handlers, then Start.
}
