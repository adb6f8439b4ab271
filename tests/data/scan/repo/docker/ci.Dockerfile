# CI image: one line, two toolchain commands.
RUN rustup default stable && rustup component add clippy
