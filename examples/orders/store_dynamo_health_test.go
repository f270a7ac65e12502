package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
)

// dynamoEndpoint answers DescribeTable with an active table, or, when
// silent, takes the request and never answers it.
type dynamoEndpoint struct{ silent bool }

func (d dynamoEndpoint) Do(req *http.Request) (*http.Response, error) {
	if d.silent {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	body := `{"Table":{"TableName":"sourceflow_commands","TableStatus":"ACTIVE"}}`
	return &http.Response{StatusCode: http.StatusOK, Request: req,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:   io.NopCloser(strings.NewReader(body))}, nil
}

func healthOf(t *testing.T, endpoint dynamoEndpoint) (int, string) {
	t.Helper()
	api := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""), HTTPClient: endpoint,
	})
	transports := func(context.Context) (bool, any) { return true, map[string]any{"transport": "gochannel"} }
	health := withStoreHealth(transports, dynamoHealth(api, "sourceflow_commands"))
	o := &observability{}
	o.health.Store(&health)
	rec := httptest.NewRecorder()
	o.serveHealth(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	return rec.Code, rec.Body.String()
}

// With -store dynamodb, /healthz checks DynamoDB too: an endpoint that
// stops answering makes it 503 within dynamoHealthTimeout, though the
// transports are up, instead of 200 while no order completes.
func TestHealthIsDownWhenDynamoDBDoesNotAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		status, body := healthOf(t, dynamoEndpoint{silent: true})
		assert.Equal(t, http.StatusServiceUnavailable, status, body)
		assert.Contains(t, body, `"up":false`)
		assert.Contains(t, body, `"table":"sourceflow_commands"`)
		assert.Equal(t, dynamoHealthTimeout, time.Since(start))

		status, body = healthOf(t, dynamoEndpoint{})
		assert.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, body, `"store":{"status":"up","table":"sourceflow_commands"}`)
		assert.Contains(t, body, `"transports":{"transport":"gochannel"}`)
	})
}

// /livez, the liveness probe, answers 200 and calls no dependency, so an
// outage that keeps /healthz (readiness) at 503 restarts no instance.
func TestLivenessCallsNoDependency(t *testing.T) {
	o, err := newObservability(options{metricsAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = o.shutdown(context.Background()) })
	down := healthFunc(func(context.Context) (bool, any) { return false, "dynamodb down" })
	o.health.Store(&down)
	for path, want := range map[string]int{"/healthz": http.StatusServiceUnavailable, "/livez": http.StatusOK} {
		resp, err := http.Get("http://" + o.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, path)
	}
}
