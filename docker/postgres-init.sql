-- One server, one database per service that keeps state.
CREATE DATABASE orchestrator;
CREATE DATABASE teacher;
CREATE DATABASE student;
