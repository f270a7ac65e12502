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
// dead letters of the last two hours that its timeouts caused, and leaves
// the others. outbox.RedriveWith takes the same options. (Compiled, not
// run: it needs a database.)
func ExampleRedriveWith() {
	db, err := sql.Open("pgx", os.Getenv("SOURCEFLOW_POSTGRES_DSN"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	since := time.Now().Add(-2 * time.Hour)
	moved, err := sqlbus.RedriveWith(context.Background(), sqlbus.Config{DB: db, Dialect: sourceflow.Postgres},
		"payments.fifo", cqrs.RedriveOptions{
			Where: func(msg *message.Message, deadLettered time.Time) bool {
				return !deadLettered.Before(since) &&
					strings.Contains(msg.Metadata.Get(sourceflow.MetaFailure), "i/o timeout")
			},
		})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(moved, "moved back")
}
