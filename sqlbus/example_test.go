package sqlbus_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// A service listens to its command destination on PostgreSQL (services
// with their own transport on the same database send to it), and an
// operator lists the destination's oldest dead letters. (Compiled, not run:
// it needs a database.)
func ExampleNewTransport() {
	db, err := sql.Open("pgx", os.Getenv("SOURCEFLOW_POSTGRES_DSN"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	tr, err := sqlbus.NewTransport(sqlbus.Config{DB: db, Dialect: sourceflow.Postgres})
	if err != nil {
		log.Fatal(err)
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "payments", Transport: tr, Listen: []string{"payments.fifo"}})
	if err != nil {
		log.Fatal(err)
	}
	// Register the service's types and handlers, then:
	if err := svc.Start(context.Background()); err != nil {
		log.Fatal(err)
	}
	defer svc.Close()

	// The 100 oldest dead letters, and how many more there are.
	dead, more, err := sqlbus.DeadLetters(context.Background(), sqlbus.Config{DB: db, Dialect: sourceflow.Postgres},
		"payments.fifo", sqlbus.DeadLetterQuery{Max: 100})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range dead {
		fmt.Println(d.Message.Metadata.Get(sourceflow.MetaMessageID), d.Message.Metadata.Get(sourceflow.MetaType), d.Reason)
	}
	if more > 0 {
		fmt.Println(more, "more not shown")
	}
}

// Destination names map to watermill-sql topics, and so to table names.
func ExampleTopic() {
	for _, d := range []string{"orders.fifo", "Orders/EU"} {
		fmt.Printf("%s: %s, dead letters in %s\n", d, sqlbus.Topic(d), sqlbus.DeadLetterTopic(d))
	}
	// Output:
	// orders.fifo: orders.fifo, dead letters in orders.fifo$dlq
	// Orders/EU: $4frders$2f$45$55, dead letters in $4frders$2f$45$55$dlq
}
