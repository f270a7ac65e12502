package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

func Example() {
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	store, err := sqlstore.Open(ctx, sqlstore.Config{
		Dialect:         sourceflow.SQLite,
		DSN:             "file:" + filepath.Join(dir, "idempotency.db"),
		CleanupInterval: 10 * time.Minute,
	})
	if err != nil {
		panic(err)
	}
	defer store.Close()

	key := idempotency.Key{Consumer: "billing", MessageID: "5b1e0c1a"}
	claim := func() idempotency.ClaimResult {
		res, err := store.Claim(ctx, key, "hash", 30*time.Second)
		if err != nil {
			panic(err)
		}
		return res
	}
	first, second := claim(), claim()
	fmt.Println(first.Status, second.Status)

	if err := store.Complete(ctx, key, first.Token, 96*time.Hour); err != nil {
		panic(err)
	}
	fmt.Println(claim().Status)
	// Output:
	// acquired in-progress
	// completed
}
