package cli_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// stubEndpoint is an endpoint of a client of the SDK: it answers each call
// of a JSON protocol (SQS, KMS) with the method of fake of the call's
// name, after the delay delays gives it, and never answers the calls named
// in silent, nor any when fake is nil: those wait for the end of the
// request's context, as an endpoint that accepts a request and never
// answers. Served by an httptest.Server, or in the caller's process as the
// client's transport (so that it also serves inside a synctest bubble);
// either way the bound the CLI adds to the client's calls (its SDK
// middleware) runs as it does against AWS.
type stubEndpoint struct {
	fake   any
	silent []string
	delays map[string]time.Duration
}

func (s stubEndpoint) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	target := req.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	if s.fake == nil || op == "" || containsOp(s.silent, op) {
		<-req.Context().Done()
		return
	}
	select {
	case <-time.After(s.delays[op]):
	case <-req.Context().Done():
		return
	}
	answer(w, req, reflect.ValueOf(s.fake).MethodByName(op))
}

func (s stubEndpoint) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func containsOp(ops []string, op string) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// answer writes the answer of method, a fake's SDK call, to req's input.
func answer(w http.ResponseWriter, req *http.Request, method reflect.Value) {
	w.Header().Set("Content-Type", req.Header.Get("Content-Type"))
	if !method.IsValid() {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "UnknownOperationException", "message": "no such call"})
		return
	}
	in := reflect.New(method.Type().In(1).Elem())
	if err := json.NewDecoder(req.Body).Decode(in.Interface()); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "SerializationException", "message": err.Error()})
		return
	}
	outs := method.Call([]reflect.Value{reflect.ValueOf(req.Context()), in})
	if err, _ := outs[1].Interface().(error); err != nil {
		code := "InternalFailure"
		if api, ok := errors.AsType[smithy.APIError](err); ok {
			code = api.ErrorCode()
		}
		w.Header().Set("X-Amzn-Query-Error", code+";Sender")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(outs[0].Interface())
}

// stubCredentials are the static credentials of the stub clients.
var stubCredentials = credentials.NewStaticCredentialsProvider("AKIDSTUB", "stub-secret", "")

// stubSQS is an SQS client of region whose endpoint, in process, answers
// with fake and never answers the calls silent names (stubEndpoint).
func stubSQS(region string, fake any, silent ...string) *sqs.Client {
	return sqsAt(region, "http://sqs.stub", &http.Client{Transport: stubEndpoint{fake: fake, silent: silent}})
}

// sqsAt is an SQS client of region at endpoint, which it calls with hc.
func sqsAt(region, endpoint string, hc *http.Client) *sqs.Client {
	return sqs.New(sqs.Options{Region: region, Credentials: stubCredentials, BaseEndpoint: aws.String(endpoint),
		HTTPClient: hc, DisableMessageChecksumValidation: true})
}

// silentKMSClient is a KMS client of region at endpoint that never
// answers.
func silentKMSClient(region, endpoint string) *kms.Client {
	return kms.New(kms.Options{Region: region, Credentials: stubCredentials, BaseEndpoint: aws.String(endpoint),
		HTTPClient: &http.Client{Transport: stubEndpoint{}}})
}

// silentSNSClient is an SNS client of region that never answers.
func silentSNSClient(region string) *sns.Client {
	return sns.New(sns.Options{Region: region, Credentials: stubCredentials, BaseEndpoint: aws.String("http://sns.stub"),
		HTTPClient: &http.Client{Transport: stubEndpoint{}}})
}
