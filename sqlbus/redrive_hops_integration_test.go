//go:build integration

package sqlbus

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A dead letter that reached the hop limit goes back with its hop count,
// unless ResetHops takes it out; either way without its reason and with
// its other metadata.
func TestRedriveWithResetHopsTakesTheHopCountOut(t *testing.T) {
	for _, c := range []struct {
		d   sourceflow.Dialect
		env string
	}{{sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN"}, {sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN"}} {
		t.Run(string(c.d), func(t *testing.T) {
			db := openDSN(t, c.d, c.env, "")
			for _, reset := range []bool{false, true} {
				dest := deadLettered(t, c.d, db)
				schema, _ := adapters(c.d, db)
				pub, err := publisher(Config{DB: db, Dialect: c.d}, schema, nil)
				require.NoError(t, err)
				msg := message.NewMessage("hop-1", []byte("{}"))
				msg.Metadata.Set(sourceflow.MetaHops, "64")
				msg.Metadata.Set(sourceflow.MetaType, "orders.Placed")
				msg.Metadata.Set(sourceflow.MetaFailure, "cqrs: hop limit exceeded")
				require.NoError(t, pub.Publish(DeadLetterTopic(dest), msg))
				require.NoError(t, pub.Close())

				n, err := RedriveWith(context.Background(), Config{DB: db, Dialect: c.d}, dest, cqrs.RedriveOptions{ResetHops: reset})
				require.NoError(t, err)
				require.Equal(t, 2, n, "both dead letters of %s", dest)
				q := `SELECT metadata FROM "watermill_` + Topic(dest) + `" WHERE uuid = 'hop-1'`
				if c.d == sourceflow.MySQL {
					q = strings.ReplaceAll(q, `"`, "`")
				}
				var raw []byte
				require.NoError(t, db.QueryRow(q).Scan(&raw))
				var md map[string]string
				require.NoError(t, json.Unmarshal(raw, &md))
				assert.Equal(t, 1, sourceflow.Redrives(md), "the redrive is counted")
				delete(md, sourceflow.MetaRedrives)
				assert.NotEmpty(t, md[sourceflow.MetaRedrivenAt])
				delete(md, sourceflow.MetaRedrivenAt)
				want := map[string]string{sourceflow.MetaHops: "64", sourceflow.MetaType: "orders.Placed"}
				if reset {
					delete(want, sourceflow.MetaHops)
				}
				assert.Equal(t, want, md, "reset %v", reset)
			}
		})
	}
}
