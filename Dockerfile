# The release image, built by goreleaser (dockers_v2 in .goreleaser.yaml)
# from the binaries it has just built: the build context holds
# linux/amd64/mailcheck and linux/arm64/mailcheck, and buildx sets
# TARGETPLATFORM to pick one. The binary is static (CGO_ENABLED=0), so a
# distroless/static base suffices: CA certificates (for MTA-STS and BIMI
# over HTTPS), tzdata, /etc/passwd with a nonroot user, and no shell.
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/mailcheck /usr/bin/mailcheck
# 65532, distroless's nonroot: mailcheck needs no privilege (it opens no
# port below 1024; outbound connections to port 25 need none).
USER 65532:65532
ENTRYPOINT ["/usr/bin/mailcheck"]
