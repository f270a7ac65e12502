package awsbus

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/redact"
)

// Bind derives the topology plan from b (reporting every problem at once,
// wrapped in ErrInvalidConfig), runs the provisioning mode and caches the
// endpoints. It logs its progress through Config.Logger, and each AWS call
// it makes is bounded by Config.CallTimeout, so against an endpoint that
// never answers Bind fails after one CallTimeout with an error naming the
// call. A failed Bind may be retried; a successful one may not be repeated:
// a second Bind then fails with ErrAlreadyBound.
// The transport's other methods answer while Bind runs (as not bound yet);
// a Close meanwhile cancels the call under way and makes Bind return
// ErrClosed at once, so no AWS call of Bind's is made after Close.
// When Config.KMSKeyID is set and NewEncryption was not called, a
// successful Bind logs one warning (at slog's Warn through slog.Default()
// when Config.Logger is unset) that message bodies are neither encrypted
// nor authenticated, naming the key and the destinations; see Encryption in
// the package documentation.
func (t *Transport) Bind(ctx context.Context, b sourceflow.Binding) error {
	t.bindMu.Lock()
	defer t.bindMu.Unlock()
	ctx, done, err := t.beginBind(ctx)
	if err != nil {
		return err
	}
	defer done()
	p, err := topology.New(b, t.cfg.planOptions())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	log := t.cfg.Logger.With(watermill.LogFields{"service": b.Service, "provisioning": t.cfg.Provisioning.String()})
	log.Info("awsbus: binding the topology", watermill.LogFields{
		"queues": len(p.Queues), "topics": len(p.Topics), "subscriptions": len(p.Subscriptions),
		"call_timeout": t.cfg.CallTimeout.String(),
	})
	start := time.Now()
	if err := t.preflight(ctx); err != nil {
		return t.closedOr(err)
	}
	eps, err := t.apply(ctx, log, p)
	if err := t.closedOr(err); errors.Is(err, ErrClosed) {
		log.Info("awsbus: binding stopped: the transport was closed", watermill.LogFields{"elapsed": time.Since(start).String()})
		return err
	}
	if err != nil {
		log.Error("awsbus: binding the topology failed", err, watermill.LogFields{"elapsed": time.Since(start).String()})
		return fmt.Errorf("awsbus: %s topology: %w", t.cfg.Provisioning, err)
	}
	log.Info("awsbus: topology bound", watermill.LogFields{"elapsed": time.Since(start).String()})
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return ErrClosed
	}
	t.plan, t.endpoints, t.bound = p, eps, true
	t.indexQueues()
	protected := t.kmsCheck != nil
	t.mu.Unlock()
	t.warnUnprotected(p, protected)
	return nil
}

// beginBind checks that the transport is neither closed nor bound and
// returns ctx, which Close cancels until done is called.
func (t *Transport) beginBind(ctx context.Context) (context.Context, func(), error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, nil, ErrClosed
	}
	if t.bound {
		return nil, nil, ErrAlreadyBound
	}
	ctx, cancel := context.WithCancelCause(ctx)
	t.cancelBind = cancel
	return ctx, func() {
		t.mu.Lock()
		t.cancelBind = nil
		t.mu.Unlock()
		cancel(nil)
	}, nil
}

// closedOr returns ErrClosed, with err, when Close was called meanwhile,
// and err otherwise.
func (t *Transport) closedOr(err error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed && err != nil {
		return fmt.Errorf("%w (binding stopped: %w)", ErrClosed, err)
	}
	return err
}

// bindAttempts bounds how often Bind runs the provisioning when AWS keeps
// throttling it or failing on its side; between attempts it waits a random
// time below a bound that doubles from bindBackoff.
const (
	bindAttempts = 5
	bindBackoff  = 500 * time.Millisecond
)

// apply runs the provisioning mode, again when AWS throttled it or failed
// on its side (HTTP 5xx) past the clients' own retries: a service starting
// while its account is throttled (many instances starting at once) or AWS
// has a brief fault comes up late rather than not at all. Every mode is
// safe to run again: Create writes only differences.
func (t *Transport) apply(ctx context.Context, log watermill.LoggerAdapter, p topology.Plan) (topology.Endpoints, error) {
	backoff := bindBackoff
	for attempt := 1; ; attempt++ {
		eps, err := t.provisioner(log).Apply(ctx, t.cfg.Provisioning, p)
		if err == nil || !transientAWS(err) || attempt == bindAttempts {
			return eps, err
		}
		// #nosec G404 -- jitter that spreads retries out; no secret depends on it.
		wait := time.Duration(rand.Int64N(int64(backoff))) + backoff/2
		log.Info("awsbus: AWS throttled or failed the topology's provisioning; trying again", watermill.LogFields{
			"attempt": attempt, "wait": wait.Round(time.Millisecond).String(), "error": err.Error(),
		})
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, errors.Join(err, ctx.Err())
		case <-timer.C:
		}
		backoff *= 2
	}
}

// transientAWS reports whether err comes from AWS throttling a request (a
// throttling error code, the SDK's and ThrottleErrorCodes, or HTTP 429) or
// failing on its side (HTTP 5xx, such as SQS's and SNS's
// ServiceUnavailable).
func transientAWS(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code := ae.ErrorCode()
		if _, ok := retry.DefaultThrottleErrorCodes[code]; ok || slices.Contains(throttleErrorCodes, code) {
			return true
		}
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && (re.HTTPStatusCode() == 429 || re.HTTPStatusCode() >= 500)
}

// provisioner returns a topology.Provisioner whose every call is bounded by
// CallTimeout and logged at debug level.
func (t *Transport) provisioner(log watermill.LoggerAdapter) *topology.Provisioner {
	c := callBound{timeout: t.cfg.CallTimeout, log: log}
	cfg := topology.ProvisionerConfig{
		SQS: boundedSQS{api: t.clients.SQS, c: c}, SNS: boundedSNS{api: t.clients.SNS, c: c},
		Region: t.clients.Region, AccountID: t.cfg.AccountID,
	}
	if t.clients.STS != nil {
		cfg.STS = boundedSTS{api: t.clients.STS, c: c}
	}
	p, _ := topology.NewProvisioner(cfg) // the clients were checked by NewTransport
	return p
}

// resources returns a Provisioner over the plain clients, for health checks
// bounded by HealthTimeout.
func (t *Transport) resources() *topology.Provisioner {
	p, _ := topology.NewProvisioner(topology.ProvisionerConfig{SQS: t.clients.SQS, SNS: t.clients.SNS})
	return p
}

// indexQueues records the URL of every queue and dead-letter queue.
func (t *Transport) indexQueues() {
	t.queueURLs = map[string]string{}
	for _, d := range t.plan.Destinations {
		if ep := t.endpoints[d.Name]; d.Queue != "" {
			t.queueURLs[d.Queue], t.queueURLs[topology.DLQName(d.Queue)] = ep.QueueURL, ep.DLQURL
		}
	}
}

// credentialsCheck retrieves the credentials of awsCfg within timeout. With
// an endpoint set (an emulator), a failure names the test credentials an
// emulator accepts, and the endpoint without the password its URL may hold.
func credentialsCheck(awsCfg aws.Config, timeout time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err := errors.New("no credentials provider configured")
		if awsCfg.Credentials != nil {
			_, err = awsCfg.Credentials.Retrieve(ctx)
		}
		if err == nil {
			return nil
		}
		if ep := aws.ToString(awsCfg.BaseEndpoint); ep != "" {
			return fmt.Errorf("awsbus: no AWS credentials found for endpoint %s; an emulator accepts any, "+
				"e.g. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test: %w", redact.Endpoint(ep), err)
		}
		return fmt.Errorf("awsbus: no AWS credentials found: %w", err)
	}
}
