//go:build integration

package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
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
	store, err := dynamostore.New(ctx, dynamostore.Config{Client: client, TablePrefix: "example_"})
	if err != nil {
		log.Fatal(err)
	}

	commands := store.Commands() // reserve a sequence, then append the command
	seq, err := commands.NextSequence(ctx, "order-1")
	if err != nil {
		log.Fatal(err)
	}
	err = commands.Append(ctx, cqrs.StoredCommand{
		Envelope:    cqrs.Envelope{Type: "orders.CreateOrder", MessageID: fmt.Sprint("m-", seq), EntityID: "order-1", Sequence: seq},
		Destination: "orders",
		Payload:     []byte(`{"total":42}`),
	})
	if err != nil {
		log.Fatal(err)
	}

	views := store.Views() // every save is conditional on the version loaded
	doc, err := views.Load(ctx, "order-summary", "order-1")
	if err != nil && !errors.Is(err, cqrs.ErrNotFound) {
		log.Fatal(err)
	}
	if err := views.Save(ctx, "order-summary", "order-1", []byte(`{"total":42}`), doc.Version); err != nil {
		log.Fatal(err)
	}
	err = views.Save(ctx, "order-summary", "order-1", []byte(`{"total":0}`), doc.Version)
	fmt.Println("stale save:", errors.Is(err, cqrs.ErrConflict))

	// Saves through a context carrying a transaction commit together.
	err = store.WithinTx(ctx, func(ctx context.Context) error {
		if err := views.Save(ctx, "order-summary", "order-1", []byte(`{"total":43}`), doc.Version+1); err != nil {
			return err
		}
		return errors.New("the handler failed")
	})
	after, loadErr := views.Load(ctx, "order-summary", "order-1")
	if loadErr != nil {
		log.Fatal(loadErr)
	}
	fmt.Println(err, string(after.Data))
	// Output:
	// stale save: true
	// the handler failed {"total":42}
}
