CREATE TABLE t (id int);
CREATE INDEX t_i ON t (id);
CREATE INDEX b_i ON booking (id);
