package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
)

// provisioning returns the mode -provisioning names.
func provisioning(name string) (topology.Provisioning, error) {
	for _, m := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
		if m.String() == name {
			return m, nil
		}
	}
	return 0, fmt.Errorf("-provisioning %q: want create, validate or assume", name)
}

// writeTopology writes the topology file of each service of the role into
// opts.topologyDir, from the services' registrations and their transports'
// settings, without starting them: no AWS call. `sourceflow export` turns
// the files into a CloudFormation template or Terraform configuration.
func writeTopology(ctx context.Context, opts options, stdout io.Writer) (err error) {
	obs, err := newObservability(opts)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, obs.shutdown(context.WithoutCancel(ctx))) }()
	var c counters
	w, err := wireServices(ctx, opts, obs, &c)
	if err != nil {
		return err
	}
	defer func() { _ = w.closers.closeAll() }()
	if err := os.MkdirAll(opts.topologyDir, 0o750); err != nil {
		return err
	}
	dir, err := os.OpenRoot(opts.topologyDir)
	if err != nil {
		return err
	}
	defer func() { _ = dir.Close() }()
	byService := map[string]wiring{w.payments.Name(): w.transports.payments, w.orders.svc.Name(): w.transports.orders}
	for _, svc := range rolesServices(opts.role, w.payments, w.orders) {
		file, err := byService[svc.Name()].transport.(*awsbus.Transport).File(svc.Binding())
		if err != nil {
			return fmt.Errorf("topology of %s: %w", svc.Name(), err)
		}
		file.Tables = storeTables(opts)
		name := svc.Name() + ".topology.yaml"
		if err := writeFile(dir, name, file); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", filepath.Join(opts.topologyDir, name))
	}
	return nil
}

// storeTables are the DynamoDB tables of -store dynamodb (the stores', the
// outbox's and the idempotency store's), which every service shares; none
// for the other stores.
func storeTables(opts options) []topology.Table {
	if opts.store != "dynamodb" {
		return nil
	}
	return dynamobackend.Tables(dynamobackend.Config{TablePrefix: opts.tablePrefix, Outbox: true})
}

// writeFile writes file as name in dir; a name cannot reach outside dir.
func writeFile(dir *os.Root, name string, file topology.File) error {
	f, err := dir.Create(name)
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir.Name(), name), err)
	}
	if err := file.Encode(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", filepath.Join(dir.Name(), name), err)
	}
	return f.Close()
}
