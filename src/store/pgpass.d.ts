declare module "pgpass";
