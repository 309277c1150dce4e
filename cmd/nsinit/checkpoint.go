package main

import (
	"context"
	"flag"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/criu"
)

const (
	checkpointArgs = "--image-path DIR [--leave-running] [--tcp-established] [--ext-unix-sk] ID"
	checkpointHelp = "save the container's processes into DIR with CRIU; it is stopped after, unless --leave-running"
	restoreArgs    = "--image-path DIR [--bundle DIR] [--tcp-established] [--ext-unix-sk] ID"
	restoreHelp    = "make a running container ID from CRIU images and a bundle"
)

// criuFlags are the CRIU options both verbs take.
func criuFlags(fs *flag.FlagSet) (image *string, opts *criu.Options) {
	opts = &criu.Options{}
	image = fs.String("image-path", "", "the directory of CRIU's images and logs (a checkpoint makes it if missing)")
	fs.BoolVar(&opts.TCPEstablished, "tcp-established", false, "checkpoint and restore established TCP connections")
	fs.BoolVar(&opts.ExternalUnixSockets, "ext-unix-sk", false, "allow unix sockets connected to processes outside the container")
	return image, opts
}

func cmdCheckpoint(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("checkpoint", g.stderr)
	image, opts := criuFlags(fs)
	fs.BoolVar(&opts.LeaveRunning, "leave-running", false, "keep the container running after the checkpoint")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *image == "" {
		return usagef("--image-path is required")
	}
	c, err := load(g, fs.Args())
	if err != nil {
		return err
	}
	return c.Checkpoint(ctx, *image, *opts)
}

func cmdRestore(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("restore", g.stderr)
	image, opts := criuFlags(fs)
	dir := fs.String("bundle", ".", "bundle directory (config.json and rootfs)")
	fs.StringVar(dir, "b", ".", "short for --bundle")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *image == "" {
		return usagef("--image-path is required")
	}
	id, err := oneID(fs.Args())
	if err != nil {
		return err
	}
	_, err = container.Restore(ctx, g.root, id, *dir, *image, *opts)
	return err
}
