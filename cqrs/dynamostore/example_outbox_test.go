//go:build integration

package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemdynamo "github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
)

type (
	Deposit   struct{ Amount int }
	Deposited struct{ Balance int }
	Account   struct{ Balance int }
)

// A service whose saga state, raised events and idempotency records are
// written by one TransactWriteItems per handled command: the stores and the
// idempotency store share a client, the idempotency middleware runs in
// transactional mode, and the outbox stands in front of the transport.
func ExampleNewOutbox() {
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
	store, err := dynamostore.New(ctx, dynamostore.Config{Client: client, TablePrefix: "example_outbox_"})
	if err != nil {
		log.Fatal(err)
	}
	idem, err := idemdynamo.New(ctx, idemdynamo.Config{Client: client, Table: "example_outbox_idempotency"})
	if err != nil {
		log.Fatal(err)
	}
	mw, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{Transactional: true})
	if err != nil {
		log.Fatal(err)
	}
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	if err != nil {
		log.Fatal(err)
	}
	outbox, err := dynamostore.NewOutbox(ctx, store, dynamostore.OutboxConfig{Transport: inner, Name: "accounts"})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = outbox.Close() }()

	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: "accounts", Transport: outbox, Listen: []string{"accounts", "account-events"},
		CommandStore: store.Commands(), EntityStore: store.Entities(), ViewStore: store.Views(),
		HandlerMiddleware: []message.HandlerMiddleware{mw.Middleware},
	})
	if err != nil {
		log.Fatal(err)
	}
	agg := cqrs.NewAggregate(svc, "teller")
	balances := make(chan int, 1)
	err = errors.Join(
		cqrs.RegisterCommand[Deposit](svc, "accounts.Deposit", "accounts"),
		cqrs.RegisterEvent[Deposited](svc, "accounts.Deposited", "account-events"),
		cqrs.Handle(cqrs.NewSaga[Account](svc, "account"), func(_ context.Context, a *Account, d Deposit, _ cqrs.Envelope) ([]any, error) {
			a.Balance += d.Amount
			return []any{Deposited{Balance: a.Balance}}, nil // goes out once the write committed
		}),
		cqrs.React(agg, func(_ context.Context, _ *cqrs.Aggregate, e Deposited, _ cqrs.Envelope) error {
			balances <- e.Balance
			return nil
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer func() { _ = svc.Close() }()

	account := fmt.Sprint("account-", os.Getpid())
	if _, err := agg.Send(ctx, account, Deposit{Amount: 42}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("balance:", <-balances)
	// Output:
	// balance: 42
}
