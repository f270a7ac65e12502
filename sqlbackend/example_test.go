package sqlbackend_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// A service whose state and idempotency records live in one SQL database:
// one Open, one Configure, one Idempotency and one Close. On PostgreSQL
// or MySQL, Config.Outbox also puts an outbox in front of the transport.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlbackend-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	b, err := sqlbackend.Open(ctx, sqlbackend.Config{Dialect: sourceflow.SQLite, DSN: "file:" + filepath.Join(dir, "app.db")})
	if err != nil {
		panic(err)
	}
	defer b.Close() // after the service's Close
	transport, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: watermill.NopLogger{}})
	if err != nil {
		panic(err)
	}
	cfg := cqrs.ServiceConfig{Name: "billing", Transport: transport, Listen: []string{"invoices"}, Logger: watermill.NopLogger{}}
	claims, err := b.Idempotency(idempotency.MiddlewareConfig{})
	if err != nil {
		panic(err)
	}
	stack := middleware.NewStack()
	if err := errors.Join(b.Configure(ctx, &cfg), stack.Use(middleware.ConsumeIdempotency, "sql", claims.Middleware)); err != nil {
		panic(err)
	}
	cfg.HandlerMiddleware = stack.HandlerMiddlewares()

	svc, err := cqrs.NewService(cfg)
	if err != nil {
		panic(err)
	}
	defer svc.Close()
	fmt.Println(cfg.CommandStore == b.Store().Commands(), cfg.EntityStore == b.Store().Entities(), cfg.ViewStore == b.Store().Views())
	fmt.Println(stack)
	// Output:
	// true true true
	// consume: idempotency(sql) → handler; produce: transport
}
