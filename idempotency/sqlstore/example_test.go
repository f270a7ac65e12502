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
	first, _ := store.Claim(ctx, key, "hash", 30*time.Second)
	second, _ := store.Claim(ctx, key, "hash", 30*time.Second)
	fmt.Println(first.Status, second.Status)

	_ = store.Complete(ctx, key, first.Token, 96*time.Hour)
	third, _ := store.Claim(ctx, key, "hash", 30*time.Second)
	fmt.Println(third.Status)
	// Output:
	// acquired in-progress
	// completed
}
