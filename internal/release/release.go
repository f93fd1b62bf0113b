// Package release holds the tests of the release files that are not Go:
// install.sh (the installer the README, the GitHub Action and the GitLab
// template use). The goreleaser configuration is checked by `goreleaser
// check` and the workflow examples by actionlint, in .ci/run.
package release
