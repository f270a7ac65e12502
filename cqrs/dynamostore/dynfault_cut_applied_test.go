package dynamostore

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// applyingUnanswered applies every TransactWriteItems (it keeps the items
// put) and never answers it, as a connection the network dropped after
// DynamoDB took the request does; GetItem finds what was kept.
type applyingUnanswered struct {
	mu    sync.Mutex
	items map[string]json.RawMessage // by sort key
}

func (a *applyingUnanswered) Do(req *http.Request) (*http.Response, error) {
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	status, out := http.StatusOK, "{}"
	switch target := req.Header.Get("X-Amz-Target"); {
	case strings.HasSuffix(target, ".DescribeTable"):
		status, out = TableDescribed(raw)
	case strings.HasSuffix(target, ".TransactWriteItems"):
		a.apply(raw)
		<-req.Context().Done()
		return nil, req.Context().Err()
	case strings.HasSuffix(target, ".GetItem"):
		out = a.get(raw)
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body: io.NopCloser(bytes.NewReader([]byte(out))), Request: req}, nil
}

type sortKeyed struct {
	SK struct{ S string } `json:"sk"`
}

func (a *applyingUnanswered) apply(raw []byte) {
	var in struct {
		TransactItems []struct {
			Put *struct{ Item json.RawMessage }
		}
	}
	_ = json.Unmarshal(raw, &in)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, it := range in.TransactItems {
		var k sortKeyed
		if it.Put != nil && json.Unmarshal(it.Put.Item, &k) == nil {
			a.items[k.SK.S] = it.Put.Item
		}
	}
}

func (a *applyingUnanswered) get(raw []byte) string {
	var in struct{ Key sortKeyed }
	_ = json.Unmarshal(raw, &in)
	a.mu.Lock()
	defer a.mu.Unlock()
	if item, ok := a.items[in.Key.SK.S]; ok {
		return `{"Item":` + string(item) + `}`
	}
	return "{}"
}

// A write DynamoDB applied but never answered is cut after
// dynamo.AttemptTimeout; its outcome is then unknown, not a failure.
// NextSequence reads back the marker of the number it took, finds it, and
// returns that number: the caller does not take another one for the same
// command.
func TestDynFaultCutWriteThatWasAppliedCountsAsApplied(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, st := applyingStore(t)
		seq, err := st.Commands().NextSequence(context.Background(), "e1")
		require.NoError(t, err, "the number's marker is in place: the cut write was applied")
		assert.Equal(t, int64(1), seq)
		_, taken := a.items[takenPrefix+digits(1)]
		assert.True(t, taken)
	})
}

// The same for a command appended alone: its marker, read back, holds the
// token of this Append, which succeeds instead of failing a handling whose
// command is stored.
func TestDynFaultCutAppendThatWasAppliedCountsAsApplied(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, st := applyingStore(t)
		cmd := cqrs.StoredCommand{Envelope: cqrs.Envelope{Type: "t", MessageID: "cmd-1", EntityID: "e1", Sequence: 1},
			Destination: "d", Payload: []byte("{}")}
		require.NoError(t, st.Commands().Append(context.Background(), cmd), "the command's marker is in place")
		_, stored := a.items[messagePrefix+"cmd-1"]
		assert.True(t, stored)
	})
}

func applyingStore(t *testing.T) (*applyingUnanswered, *Store) {
	t.Helper()
	a := &applyingUnanswered{items: map[string]json.RawMessage{}}
	api := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""), HTTPClient: a,
	})
	st, err := New(context.Background(), Config{Client: api, Provisioning: topology.ProvisionAssume})
	require.NoError(t, err)
	return a, st
}
