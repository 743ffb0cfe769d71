-- The connector's user: it reads the binlog and queries the Commerce tables, nothing more.
-- The MySQL image runs this after 01-schema.sql, as root, on first start only.
CREATE USER IF NOT EXISTS 'cdc'@'%' IDENTIFIED BY 'cdc_pw';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'cdc'@'%';
GRANT SELECT ON `magento`.* TO 'cdc'@'%';
FLUSH PRIVILEGES;
