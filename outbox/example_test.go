package outbox_test

import (
	"context"
	"database/sql"
	"os"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/outbox"
)

type CreateInvoice struct {
	Amount int `json:"amount"`
}

type Invoice struct {
	Amount int `json:"amount"`
}

// A service whose commands go through an outbox: the invoice row and the
// command commit together, and the forwarder publishes the command to the
// inner transport after the commit. (Compiled, not run: it needs a
// database.)
func Example() {
	ctx := context.Background()
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	store, err := sqlstore.New(ctx, db, sqlstore.Config{Dialect: sourceflow.Postgres})
	if err != nil {
		panic(err)
	}
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true}) // or awsbus, sqlbus, ...
	if err != nil {
		panic(err)
	}
	// The service handling the command, on the inner transport.
	invoicing, err := cqrs.NewService(cqrs.ServiceConfig{Name: "invoicing", Transport: inner, Listen: []string{"invoices"}})
	if err != nil {
		panic(err)
	}
	if err := cqrs.RegisterCommand[CreateInvoice](invoicing, "billing.CreateInvoice", "invoices"); err != nil {
		panic(err)
	}
	err = cqrs.Handle(cqrs.NewSaga[Invoice](invoicing, "invoice"),
		func(_ context.Context, inv *Invoice, c CreateInvoice, _ cqrs.Envelope) ([]any, error) {
			inv.Amount = c.Amount
			return nil, nil
		})
	if err != nil {
		panic(err)
	}
	if err := invoicing.Start(ctx); err != nil {
		panic(err)
	}
	defer invoicing.Close()

	// The sending service, through the outbox on the stores' database.
	box, err := outbox.New(outbox.Config{DB: db, Dialect: sourceflow.Postgres, Transport: inner})
	if err != nil {
		panic(err)
	}
	defer box.Close()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: box, CommandStore: store.Commands()})
	if err != nil {
		panic(err)
	}
	if err := cqrs.RegisterCommand[CreateInvoice](svc, "billing.CreateInvoice", "invoices"); err != nil {
		panic(err)
	}
	if err := svc.Start(ctx); err != nil { // binds the outbox and starts its forwarder
		panic(err)
	}
	defer svc.Close()

	err = store.WithinTx(ctx, func(ctx context.Context) error {
		tx := idemsql.TxFromContext(ctx) // the transaction WithinTx began
		if _, err := tx.ExecContext(ctx, "INSERT INTO invoices (id, amount) VALUES ($1, $2)", "inv-1", 42); err != nil {
			return err
		}
		_, err := cqrs.NewAggregate(svc, "invoice").Send(ctx, "inv-1", CreateInvoice{Amount: 42})
		return err // the command is written into the outbox in this transaction
	})
	if err != nil {
		panic(err)
	}
}
