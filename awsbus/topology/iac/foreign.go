package iac

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// addForeign records the topics of another account or region that p's
// subscriptions and queue policies name by ARN, read once: from
// p.Foreign, which New fills, else parsed (a plan built by hand). A
// malformed ARN is an error naming it and p's service.
func (m *merger) addForeign(p topology.Plan) []error {
	known := map[string]topology.Foreign{}
	for _, f := range p.Foreign {
		known[f.ARN] = f
	}
	var names []string
	for _, s := range p.Subscriptions {
		names = append(names, s.Topic)
	}
	for _, pol := range p.Policies {
		names = append(names, pol.Topics...)
	}
	var errs []error
	for _, arn := range names {
		if _, done := m.foreign[arn]; done || !topology.IsARN(arn) {
			continue
		}
		f, ok := known[arn]
		if !ok {
			var err error
			if f, err = topology.ParseForeign(arn, sourceflow.KindEvent); err != nil {
				errs = append(errs, fmt.Errorf("service %q: %w", p.Service, err))
				continue
			}
		}
		m.foreign[arn] = f
	}
	return errs
}

// foreignOf returns the topics of arns, all of them topics named by ARN
// that addForeign read.
func (b *builder) foreignOf(arns []string) []topology.Foreign {
	out := make([]topology.Foreign, 0, len(arns))
	for _, arn := range arns {
		if f, ok := b.foreign[arn]; ok {
			out = append(out, f)
		}
	}
	return out
}
