package dynamostore_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// losingAnswers loses the answer of a write DynamoDB applied, once: the
// first PutItem, UpdateItem or TransactWriteItems whose body contains the armed string goes
// through, then meanwhile runs, then the caller sees a connection reset,
// and the SDK sends the request again.
type losingAnswers struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	mu        sync.Mutex
	body      string // a string the body of the write contains
	meanwhile func()
}

func (l *losingAnswers) arm(body string, meanwhile func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.body, l.meanwhile = body, meanwhile
}

func (l *losingAnswers) Do(req *http.Request) (*http.Response, error) {
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	l.mu.Lock()
	target := req.Header.Get("X-Amz-Target")
	write := strings.HasSuffix(target, ".PutItem") || strings.HasSuffix(target, ".UpdateItem") ||
		strings.HasSuffix(target, ".TransactWriteItems")
	hit := l.meanwhile != nil && write && strings.Contains(string(raw), l.body)
	meanwhile := l.meanwhile
	if hit {
		l.meanwhile = nil
	}
	l.mu.Unlock()
	resp, err := l.inner.Do(req)
	if !hit || err != nil {
		return resp, err
	}
	_ = resp.Body.Close()
	meanwhile()
	return nil, errors.New("connection reset after the request was applied")
}

// newLossyStore returns a store whose tables are named with prefix, on a
// client whose writes lose their answer when it is armed, and a client
// that loses none.
func newLossyStore(t *testing.T, prefix string) (*dynamostore.Store, *losingAnswers, *dynamodb.Client) {
	t.Helper()
	plain := dynamotest.Client(t)
	lossy := &losingAnswers{inner: plain.Options().HTTPClient}
	api := dynamodb.New(plain.Options(), func(o *dynamodb.Options) { o.HTTPClient = lossy })
	st, err := dynamostore.New(context.Background(), dynamostore.Config{Client: api, TablePrefix: prefix})
	require.NoError(t, err)
	for _, tb := range append(st.Tables(), dynamostore.OutboxTable(dynamostore.Config{TablePrefix: prefix})) {
		dynamotest.DropTables(t, plain, tb.Name)
	}
	return st, lossy, plain
}

// A save whose answer was lost, and which another save overtook before the
// SDK sent it again, was applied: Save reports success, not a conflict
// that would make its caller apply the change a second time.
func TestASaveWhoseAnswerWasLostAndThatWasOvertakenCountsAsApplied(t *testing.T) {
	ctx := context.Background()
	prefix := dynamotest.Prefix()
	st, lossy, plain := newLossyStore(t, prefix)
	other, err := dynamostore.New(ctx, dynamostore.Config{Client: plain, TablePrefix: prefix, Provisioning: topology.ProvisionAssume})
	require.NoError(t, err)

	for _, docs := range []struct {
		name        string
		mine, other cqrs.DocumentStore
	}{{"entities", st.Entities(), other.Entities()}, {"views", st.Views(), other.Views()}} {
		t.Run(docs.name, func(t *testing.T) {
			require.NoError(t, docs.mine.Save(ctx, "order", "o-1", []byte("n=1"), 0))
			lossy.arm(base64.StdEncoding.EncodeToString([]byte("n=2")), func() {
				assert.NoError(t, docs.other.Save(ctx, "order", "o-1", []byte("n=3"), 2), "another instance saves on top")
			})
			require.NoError(t, docs.mine.Save(ctx, "order", "o-1", []byte("n=2"), 1),
				"the first attempt was applied: its resend is no conflict")
			doc, err := docs.mine.Load(ctx, "order", "o-1")
			require.NoError(t, err)
			assert.Equal(t, int64(3), doc.Version)
			assert.Equal(t, "n=3", string(doc.Data))

			err = docs.mine.Save(ctx, "order", "o-1", []byte("stale"), 1)
			assert.ErrorIs(t, err, cqrs.ErrConflict, "a save that was never applied is still a conflict")

			// The same in a handling transaction, whose one write commits as
			// a plain conditional update.
			lossy.arm(base64.StdEncoding.EncodeToString([]byte("n=4")), func() {
				assert.NoError(t, docs.other.Save(ctx, "order", "o-1", []byte("n=5"), 4), "another instance saves on top")
			})
			require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
				return docs.mine.Save(ctx, "order", "o-1", []byte("n=4"), 3)
			}), "the transaction's write was applied: its resend is no conflict")
			doc, err = docs.mine.Load(ctx, "order", "o-1")
			require.NoError(t, err)
			assert.Equal(t, int64(5), doc.Version)
			err = st.WithinTx(ctx, func(ctx context.Context) error {
				return docs.mine.Save(ctx, "order", "o-1", []byte("stale"), 3)
			})
			assert.ErrorIs(t, err, cqrs.ErrConflict, "a transaction's write never applied is still a conflict")
		})
	}
}
