"""Containers: the pipeline exported as an OCI image, and a podman runner for workers.

- `recipe`: Containerfiles and build contexts (`ae` installed on a base image, the artifact's pinned
  snapshot and dependency repositories, a plan that `ae.evaluators.plan` runs inside);
- `base`: the base image from a local Debian root file system (debootstrap, then `podman import`);
- `podman`: the only module that calls podman (runc, `--network=none`, explicit ulimits);
- `runner`: a worker's runs in a container (`AE_SANDBOX=podman`), from the artifact's own recipe
  when it ships one.

Inside a container the pipeline runs in sandbox mode "container": the container is the sandbox.
"""
