package awsbus_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// failingServer answers the first fails requests with fail and the rest
// with ok, counting every request.
type failingServer struct {
	mu    sync.Mutex
	calls int
	fails int
	fail  func(w http.ResponseWriter)
	ok    func(w http.ResponseWriter, r *http.Request)
}

func (s *failingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	failing := s.calls <= s.fails
	s.mu.Unlock()
	if failing {
		s.fail(w)
		return
	}
	s.ok(w, r)
}

func (s *failingServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// awsConfig points the clients at srv with test credentials.
func awsConfig(t *testing.T, srv http.Handler) aws.Config {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(ts.URL),
	}
}

// fastBackoff keeps the client's retryer and its decisions but waits 1 ms
// between attempts, so the test does not wait for the real backoff.
func fastBackoff(r aws.Retryer) aws.Retryer { return retry.AddWithMaxBackoffDelay(r, time.Millisecond) }

// snsError writes an error in SNS's Query protocol (XML) format.
func snsError(status int, code string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">`+
			`<Error><Type>Sender</Type><Code>%s</Code><Message>Rate exceeded</Message></Error>`+
			`<RequestId>9b6f5c6e-1d1b-5c1a-8d0e-4c0e6c0e6c0e</RequestId></ErrorResponse>`, code)
	}
}

func snsPublished(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprint(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">`+
		`<PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>`+
		`<ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>`)
}

func TestWithRetriesRetriesSNSThrottling(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		code      string
		wantCalls int
		wantErr   bool
	}{
		{name: "Throttled", status: http.StatusTooManyRequests, code: "Throttled", wantCalls: 3},
		{name: "KMSThrottling", status: http.StatusBadRequest, code: "KMSThrottling", wantCalls: 3},
		{name: "not a throttle", status: http.StatusBadRequest, code: "InvalidParameter", wantCalls: 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &failingServer{fails: 2, fail: snsError(tt.status, tt.code), ok: snsPublished}
			client := sns.NewFromConfig(awsbus.WithRetries(awsConfig(t, srv)), func(o *sns.Options) { o.Retryer = fastBackoff(o.Retryer) })
			_, err := client.Publish(context.Background(), &sns.PublishInput{
				TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:order-events"), Message: aws.String("{}"),
			})
			checkRetried(t, srv, err, tt.wantCalls, tt.wantErr, tt.code)
		})
	}
}

// sqsError writes an error in SQS's JSON protocol format; queryCode, when
// set, is the legacy code SQS names in X-Amzn-Query-Error.
func sqsError(status int, shape, queryCode string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if queryCode != "" {
			w.Header().Set("X-Amzn-Query-Error", queryCode+";Sender")
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.sqs#%s","message":"throttled or refused"}`, shape)
	}
}

func sqsSent(w http.ResponseWriter, r *http.Request) {
	var in struct{ MessageBody string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sum := md5.Sum([]byte(in.MessageBody))
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	fmt.Fprintf(w, `{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274","MD5OfMessageBody":"%s"}`, hex.EncodeToString(sum[:]))
}

func TestWithRetriesRetriesSQSThrottling(t *testing.T) {
	tests := []struct {
		name                   string
		status                 int
		shape, queryCode, code string
		wantCalls              int
		wantErr                bool
	}{
		{name: "KmsThrottled, query code", status: 400, shape: "KmsThrottled", queryCode: "KMS.ThrottlingException", code: "KMS.ThrottlingException", wantCalls: 3},
		{name: "KmsThrottled", status: 400, shape: "KmsThrottled", code: "KmsThrottled", wantCalls: 3},
		{name: "RequestThrottled", status: 403, shape: "RequestThrottled", queryCode: "RequestThrottled", code: "RequestThrottled", wantCalls: 3},
		{name: "not a throttle", status: 400, shape: "QueueDoesNotExist", queryCode: "AWS.SimpleQueueService.NonExistentQueue",
			code: "AWS.SimpleQueueService.NonExistentQueue", wantCalls: 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &failingServer{fails: 2, fail: sqsError(tt.status, tt.shape, tt.queryCode), ok: sqsSent}
			client := sqs.NewFromConfig(awsbus.WithRetries(awsConfig(t, srv)), func(o *sqs.Options) { o.Retryer = fastBackoff(o.Retryer) })
			_, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{
				QueueUrl: aws.String("https://sqs.us-east-1.amazonaws.com/000000000000/orders"), MessageBody: aws.String(`{"id":1}`),
			})
			checkRetried(t, srv, err, tt.wantCalls, tt.wantErr, tt.code)
		})
	}
}

func TestNewRetryerTreatsTheCodesAsThrottling(t *testing.T) {
	for _, mode := range []aws.RetryMode{aws.RetryModeStandard, aws.RetryModeAdaptive, ""} {
		r := awsbus.NewRetryer(mode)
		for _, code := range awsbus.ThrottleErrorCodes() {
			assert.True(t, r.IsErrorRetryable(&smithy.GenericAPIError{Code: code}), "%q in mode %q", code, mode)
		}
		assert.False(t, r.IsErrorRetryable(&smithy.GenericAPIError{Code: "InvalidParameter"}), "mode %q", mode)
		assert.Equal(t, retry.DefaultMaxAttempts, r.MaxAttempts())
	}
	_, adaptive := awsbus.NewRetryer(aws.RetryModeAdaptive).(*retry.AdaptiveMode)
	assert.True(t, adaptive, "the adaptive mode is kept")
}

func TestWithRetriesKeepsACustomRetryer(t *testing.T) {
	cfg := aws.Config{Retryer: func() aws.Retryer { return retry.AddWithMaxAttempts(retry.NewStandard(), 7) }}
	cfg = awsbus.WithRetries(cfg)
	r := cfg.Retryer()
	assert.Equal(t, 7, r.MaxAttempts(), "the custom retryer is kept")
	assert.True(t, r.IsErrorRetryable(&smithy.GenericAPIError{Code: "Throttled"}))

	again := awsbus.WithRetries(cfg).Retryer()
	assert.True(t, again.IsErrorRetryable(&smithy.GenericAPIError{Code: "Throttled"}))
	assert.Equal(t, 7, again.MaxAttempts())
}

// checkRetried checks the requests srv saw and the call's outcome: success,
// or the API error code when wantErr.
func checkRetried(t *testing.T, srv *failingServer, err error, wantCalls int, wantErr bool, code string) {
	t.Helper()
	assert.Equal(t, wantCalls, srv.count(), "requests the server saw")
	if !wantErr {
		require.NoError(t, err)
		return
	}
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, code, apiErr.ErrorCode())
}
