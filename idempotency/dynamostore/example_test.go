//go:build integration

package dynamostore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
)

// The example runs against the DynamoDB emulator the test scripts start.
func Example() {
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		log.Fatal(err)
	}
	client := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if url := os.Getenv("SOURCEFLOW_DYNAMODB_ENDPOINT"); url != "" {
			o.BaseEndpoint = &url
		}
	})
	store, err := dynamostore.New(ctx, dynamostore.Config{Client: client, Table: "example_idempotency"})
	if err != nil {
		log.Fatal(err)
	}

	key := idempotency.Key{Consumer: "billing", MessageID: fmt.Sprint("m-", time.Now().UnixNano())}
	first, err := store.Claim(ctx, key, "", time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Complete(ctx, key, first.Token, time.Hour); err != nil {
		log.Fatal(err)
	}
	again, err := store.Claim(ctx, key, "", time.Minute) // a redelivery
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(first.Status, again.Status)
	// Output: acquired completed
}
