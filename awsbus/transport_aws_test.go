package awsbus_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

func staticAWSConfig(region, endpoint string) aws.Config {
	return aws.Config{
		Region: region, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
}

// NewTransportFromAWS signs its calls for the region of aws.Config and
// sends them to its endpoint.
func TestNewTransportFromAWS_UsesTheRegionOfTheAWSConfig(t *testing.T) {
	var mu sync.Mutex
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		http.Error(w, `{"__type":"InternalFailure","message":"test endpoint"}`, http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)
	tr, err := awsbus.NewTransportFromAWS(staticAWSConfig("eu-west-3", srv.URL), awsbus.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })

	require.Error(t, tr.Bind(context.Background(), ordersBinding()))

	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, auth, "Bind called the endpoint of aws.Config")
	assert.Contains(t, auth[0], "/eu-west-3/sqs/aws4_request")
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// Against an endpoint that accepts connections but never answers, Bind
// logs that it is binding and fails after one CallTimeout with an error
// naming the call and the bound, instead of hanging.
func TestBind_AgainstASilentEndpointFailsWithinCallTimeout(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	tr, err := awsbus.NewTransportFromAWS(staticAWSConfig("us-east-1", silentListener(t)),
		awsbus.Config{CallTimeout: time.Second, Logger: logs})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	err = tr.Bind(ctx, ordersBinding())

	require.Error(t, err)
	assert.ErrorContains(t, err, "no answer within 1s (Config.CallTimeout)")
	assert.ErrorContains(t, err, "sqs:GetQueueUrl")
	assert.NoError(t, ctx.Err(), "Bind ended on its own bound, not on the caller's deadline")
	var messages []string
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		messages = append(messages, m.Msg)
	}
	assert.Contains(t, messages, "awsbus: binding the topology", "progress is logged before the first call")
}

// An emulator endpoint (AWS_ENDPOINT_URL) with no credentials found fails
// Bind with an error naming the test credentials an emulator accepts.
func TestBind_EmulatorWithoutCredentialsNamesTheTestCredentials(t *testing.T) {
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": silentListener(t), "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_SHARED_CREDENTIALS_FILE": t.TempDir() + "/none", "AWS_CONFIG_FILE": t.TempDir() + "/none",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
	} {
		t.Setenv(k, v)
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	require.NoError(t, err)
	tr, err := awsbus.NewTransportFromAWS(awsCfg, awsbus.Config{CallTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })

	err = tr.Bind(context.Background(), ordersBinding())

	require.Error(t, err)
	assert.ErrorContains(t, err, "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test")
	assert.ErrorContains(t, err, aws.ToString(awsCfg.BaseEndpoint))
}
