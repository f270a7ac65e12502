package sqlbus_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// Once the payment provider is reachable again, an operator moves back the
// ChargeCard commands that its timeouts dead-lettered, and leaves the
// others. It selects by type and reason, not by a time counted back from
// time.Now(): deadLettered is by the database's clock, which may be off
// from this machine's. outbox.RedriveWith takes the same options.
// (Compiled, not run: it needs a database.)
func ExampleRedriveWith() {
	db, err := sql.Open("pgx", os.Getenv("SOURCEFLOW_POSTGRES_DSN"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	moved, err := sqlbus.RedriveWith(context.Background(), sqlbus.Config{DB: db, Dialect: sourceflow.Postgres},
		"payments.fifo", cqrs.RedriveOptions{
			Where: func(msg *message.Message, _ time.Time) bool {
				return msg.Metadata.Get(sourceflow.MetaType) == "ChargeCard" &&
					strings.Contains(msg.Metadata.Get(sourceflow.MetaFailure), "i/o timeout")
			},
		})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(moved, "moved back")
}
