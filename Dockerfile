# Meridian: a two-stage build into a small runtime image.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin meridian

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/meridian --create-home meridian
COPY --from=build /src/target/release/meridian /usr/local/bin/meridian
USER meridian
WORKDIR /var/lib/meridian
ENV MERIDIAN_BIND=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["meridian"]
CMD ["serve"]
