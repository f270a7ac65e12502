package sqlbackend_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

type account struct {
	Balance int `json:"balance"`
}

type deposit struct {
	Amount int `json:"amount"`
}

// NewService builds a service whose state the database keeps: the
// configuration and the construction in one call, so the service cannot
// be left on memory stores.
func ExampleBackend_NewService() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlbackend-newservice")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	b, err := sqlbackend.Open(ctx, sqlbackend.Config{Dialect: sourceflow.SQLite, DSN: "file:" + filepath.Join(dir, "app.db")})
	if err != nil {
		panic(err)
	}
	defer b.Close() // after the service's Close

	svc, err := b.NewService(ctx, cqrs.ServiceConfig{Name: "bank", Listen: []string{"deposits"}, Logger: watermill.NopLogger{}})
	if err != nil {
		panic(err)
	}
	defer svc.Close()
	accounts := cqrs.NewSaga[account](svc, "account")
	if err := cqrs.RegisterCommand[deposit](svc, "bank.Deposit", "deposits"); err != nil {
		panic(err)
	}
	if err := cqrs.Handle(accounts, func(_ context.Context, a *account, d deposit, _ cqrs.Envelope) ([]any, error) {
		a.Balance += d.Amount
		return nil, nil
	}); err != nil {
		panic(err)
	}
	if err := svc.Start(ctx); err != nil {
		panic(err)
	}
	if _, err := cqrs.NewAggregate(svc, "account").Send(ctx, "acc-1", deposit{Amount: 30}); err != nil {
		panic(err)
	}
	doc, err := b.Store().Entities().Load(ctx, "account", "acc-1")
	if err != nil {
		panic(err)
	}
	cmds, err := b.Store().Commands().Load(ctx, "acc-1")
	if err != nil {
		panic(err)
	}
	fmt.Println("state version", doc.Version, "commands", len(cmds))
	// Output:
	// state version 1 commands 1
}
