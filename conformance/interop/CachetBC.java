/*
 * CachetBC.java -- the BouncyCastle peer of Cachet's interop matrix.
 *
 * This is Cachet's own code, written for the project from BouncyCastle's
 * API documentation (no BouncyCastle test or example code is copied).  It
 * drives BouncyCastle's CMS API (bcprov, bcpkix and bcutil; written against
 * the 1.72 jars Debian ships) to make CMS messages for Cachet to open and to
 * open the messages Cachet made.  The interop harness runs it as a plain
 * program, one operation per run:
 *
 *   javac -d OUT -cp BC CachetBC.java
 *   java -cp OUT:BC CachetBC COMMAND ...
 *     (BC = /usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:
 *           /usr/share/java/bcutil.jar)
 *
 *   version                               "BouncyCastle <provider version>"
 *   sign --cert C --key K --alg A [--detached] -i IN -o OUT
 *        A: rsa-sha256 rsapss-sha256 ecdsa-sha256 ecdsa-sha384 ecdsa-sha512
 *           ed25519 ed448
 *   verify -i IN [--content F] [-o OUT]
 *   encrypt (--to CERT ... | --kek HEX --kek-id HEX | --password PW)
 *           --cipher X [--oaep] -i IN -o OUT
 *        X: aes128-cbc aes192-cbc aes256-cbc (EnvelopedData),
 *           aes128-gcm aes256-gcm chacha20-poly1305 (AuthEnvelopedData)
 *   decrypt (--cert C --key K | --kek HEX --kek-id HEX | --password PW)
 *           -i IN -o OUT
 *   compress -i IN -o OUT        decompress -i IN -o OUT
 *
 * Messages are DER ContentInfo files (any BER is read); certificates and
 * keys are PEM (unencrypted PKCS #8 keys).  Exit status: 0 success; 1 a
 * signature, decryption or authentication failed; 2 usage or any other
 * error; 3 this BouncyCastle lacks the feature ("unsupported: WHAT" on
 * standard error).  Diagnostics go to standard error only.
 *
 * Where BouncyCastle 1.72 has the primitives but not the glue: its CMS
 * layer opens an AuthEnvelopedData only through a KeyTransRecipientInfo
 * (JceKeyTransAuthEnvelopedRecipient).  For key agreement, KEK and password
 * recipients the small KariAead, KekAead and PwriAead classes below take
 * BouncyCastle's own key unwrapping (extractSecretKey) and content cipher
 * (createContentCipher) and hand them to its CMS parser as an AEAD
 * operator, so that authAttrs enter the authentication as RFC 5083 section
 * 2.1 requires.  Nothing else is filled in: what 1.72 lacks is status 3.
 * With 1.72 that is: making a ChaCha20-Poly1305 AuthEnvelopedData (its
 * content encryptor builder gives no AEAD encryptor for RFC 8103; opening
 * one works), and X25519/X448 key agreement in either direction (no RFC
 * 8418 HKDF scheme; its X9.63-KDF schemes take EC keys only).
 */

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSAuthEnvelopedData;
import org.bouncycastle.cms.CMSAuthEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSCompressedData;
import org.bouncycastle.cms.CMSCompressedDataGenerator;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.KEKRecipientInformation;
import org.bouncycastle.cms.KeyAgreeRecipientInformation;
import org.bouncycastle.cms.KeyTransRecipientInformation;
import org.bouncycastle.cms.PasswordRecipient;
import org.bouncycastle.cms.PasswordRecipientInformation;
import org.bouncycastle.cms.Recipient;
import org.bouncycastle.cms.RecipientInfoGenerator;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.RecipientInformationStore;
import org.bouncycastle.cms.RecipientOperator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.SignerInformationVerifier;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKEKEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKEKRecipient;
import org.bouncycastle.cms.jcajce.JceKEKRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyAgreeEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipient;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyTransAuthEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JcePasswordEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JcePasswordRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.ZlibCompressor;
import org.bouncycastle.cms.jcajce.ZlibExpanderProvider;
import org.bouncycastle.jcajce.io.CipherInputStream;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.InputAEADDecryptor;
import org.bouncycastle.operator.OutputAEADEncryptor;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaAlgorithmParametersConverter;
import org.bouncycastle.util.Store;
import org.bouncycastle.util.encoders.Hex;

public final class CachetBC
{
    private static final String BC = BouncyCastleProvider.PROVIDER_NAME;

    /* RFC 8103 and RFC 8418 identifiers; BouncyCastle 1.72's CMSAlgorithm
       has no constants for them. */
    private static final ASN1ObjectIdentifier CHACHA20_POLY1305 =
        PKCSObjectIdentifiers.id_alg_AEADChaCha20Poly1305;
    private static final ASN1ObjectIdentifier HKDF_SHA256_SCHEME =
        new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.3.19");
    private static final ASN1ObjectIdentifier HKDF_SHA384_SCHEME =
        new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.3.20");
    private static final ASN1ObjectIdentifier HKDF_SHA512_SCHEME =
        new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.3.21");

    /* Exit statuses. */
    private static final int OK = 0;
    private static final int FAILED = 1;
    private static final int ERROR = 2;
    private static final int UNSUPPORTED = 3;

    /** An outcome other than success, with its exit status. */
    private static final class Stop extends Exception
    {
        private static final long serialVersionUID = 1L;
        final int status;

        Stop(int status, String message)
        {
            super(message);
            this.status = status;
        }
    }

    private static Stop usage(String message)
    {
        return new Stop(ERROR, "usage: " + message);
    }

    private static Stop unsupported(String what)
    {
        return new Stop(UNSUPPORTED, "unsupported: " + what);
    }

    private static Stop failed(String message)
    {
        return new Stop(FAILED, message);
    }

    /* ------------------------------------------------------------------ */
    /* Command line                                                         */

    /** Options of one command: flags and (possibly repeated) values. */
    private static final class Options
    {
        final Map<String, List<String>> values = new HashMap<>();

        static Options parse(String[] args, int from, String[] withValue,
                             String[] flags) throws Stop
        {
            Options o = new Options();
            List<String> valued = Arrays.asList(withValue);
            List<String> plain = Arrays.asList(flags);
            for (int i = from; i < args.length; i++)
            {
                String a = args[i];
                if (valued.contains(a))
                {
                    if (i + 1 >= args.length)
                    {
                        throw usage(a + " needs a value");
                    }
                    o.values.computeIfAbsent(a, k -> new ArrayList<>())
                        .add(args[++i]);
                }
                else if (plain.contains(a))
                {
                    o.values.computeIfAbsent(a, k -> new ArrayList<>())
                        .add("");
                }
                else
                {
                    throw usage("unknown argument " + a);
                }
            }
            return o;
        }

        boolean has(String name)
        {
            return values.containsKey(name);
        }

        List<String> all(String name)
        {
            return values.getOrDefault(name, new ArrayList<>());
        }

        String one(String name) throws Stop
        {
            List<String> v = all(name);
            if (v.size() > 1)
            {
                throw usage(name + " given more than once");
            }
            return v.isEmpty() ? null : v.get(0);
        }

        String need(String name) throws Stop
        {
            String v = one(name);
            if (v == null)
            {
                throw usage(name + " is required");
            }
            return v;
        }
    }

    public static void main(String[] args)
    {
        int status;
        try
        {
            Security.addProvider(new BouncyCastleProvider());
            status = run(args);
        }
        catch (Stop s)
        {
            System.err.println(s.getMessage());
            status = s.status;
        }
        catch (Throwable t)
        {
            System.err.println("error: " + describe(t));
            status = ERROR;
        }
        System.out.flush();
        System.exit(status);
    }

    /** The exception and its causes, one line, for standard error. */
    private static String describe(Throwable t)
    {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause())
        {
            if (b.length() > 0)
            {
                b.append(" <- ");
            }
            b.append(c.getClass().getSimpleName());
            if (c.getMessage() != null)
            {
                b.append(": ").append(c.getMessage());
            }
            if (c.getCause() == c)
            {
                break;
            }
        }
        return b.toString();
    }

    /** Whether a failure comes from an algorithm the provider lacks. */
    private static boolean isMissingAlgorithm(Throwable t)
    {
        for (Throwable c = t; c != null; c = c.getCause())
        {
            if (c instanceof NoSuchAlgorithmException)
            {
                return true;
            }
            if (c.getCause() == c)
            {
                break;
            }
        }
        return false;
    }

    private static int run(String[] args) throws Exception
    {
        if (args.length == 0)
        {
            throw usage("CachetBC version|sign|verify|encrypt|decrypt|"
                        + "compress|decompress ...");
        }
        switch (args[0])
        {
        case "version":
            if (args.length != 1)
            {
                throw usage("version takes no arguments");
            }
            System.out.println("BouncyCastle "
                               + Security.getProvider(BC).getVersionStr());
            return OK;
        case "sign":
            return sign(Options.parse(args, 1,
                new String[] { "--cert", "--key", "--alg", "-i", "-o" },
                new String[] { "--detached" }));
        case "verify":
            return verify(Options.parse(args, 1,
                new String[] { "-i", "-o", "--content" }, new String[0]));
        case "encrypt":
            return encrypt(Options.parse(args, 1,
                new String[] { "--to", "--kek", "--kek-id", "--password",
                               "--cipher", "-i", "-o" },
                new String[] { "--oaep" }));
        case "decrypt":
            return decrypt(Options.parse(args, 1,
                new String[] { "--cert", "--key", "--kek", "--kek-id",
                               "--password", "-i", "-o" },
                new String[0]));
        case "compress":
            return compress(Options.parse(args, 1,
                new String[] { "-i", "-o" }, new String[0]));
        case "decompress":
            return decompress(Options.parse(args, 1,
                new String[] { "-i", "-o" }, new String[0]));
        default:
            throw usage("unknown command " + args[0]);
        }
    }

    /* ------------------------------------------------------------------ */
    /* Files, certificates, keys                                            */

    private static byte[] readFile(String path) throws Stop
    {
        try (InputStream in = new FileInputStream(path))
        {
            return in.readAllBytes();
        }
        catch (IOException e)
        {
            throw new Stop(ERROR, "cannot read " + path + ": "
                           + e.getMessage());
        }
    }

    private static void writeFile(String path, byte[] data) throws Stop
    {
        try (OutputStream out = new FileOutputStream(path))
        {
            out.write(data);
        }
        catch (IOException e)
        {
            throw new Stop(ERROR, "cannot write " + path + ": "
                           + e.getMessage());
        }
    }

    private static Object readPem(String path) throws Stop
    {
        try (Reader r = new InputStreamReader(new FileInputStream(path),
                                              StandardCharsets.US_ASCII);
             PEMParser p = new PEMParser(r))
        {
            Object o = p.readObject();
            if (o == null)
            {
                throw new Stop(ERROR, path + ": no PEM object");
            }
            return o;
        }
        catch (IOException e)
        {
            throw new Stop(ERROR, "cannot read " + path + ": "
                           + e.getMessage());
        }
    }

    private static X509Certificate readCert(String path) throws Exception
    {
        Object o = readPem(path);
        if (!(o instanceof X509CertificateHolder))
        {
            throw new Stop(ERROR, path + ": not a certificate");
        }
        return new JcaX509CertificateConverter().setProvider(BC)
            .getCertificate((X509CertificateHolder) o);
    }

    private static PrivateKey readKey(String path) throws Exception
    {
        Object o = readPem(path);
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter().setProvider(BC);
        if (o instanceof PrivateKeyInfo)
        {
            return conv.getPrivateKey((PrivateKeyInfo) o);
        }
        if (o instanceof PEMKeyPair)
        {
            return conv.getKeyPair((PEMKeyPair) o).getPrivate();
        }
        throw new Stop(ERROR, path + ": not an unencrypted private key");
    }

    private static byte[] hex(String name, String value) throws Stop
    {
        try
        {
            byte[] b = Hex.decode(value);
            if (b.length == 0)
            {
                throw usage(name + " is empty");
            }
            return b;
        }
        catch (RuntimeException e)
        {
            throw usage(name + " is not hexadecimal");
        }
    }

    private static byte[] der(ContentInfo ci) throws IOException
    {
        return ci.getEncoded(ASN1Encoding.DER);
    }

    /** A ContentInfo from DER or BER octets. */
    private static ContentInfo contentInfo(byte[] data) throws Stop
    {
        try (ASN1InputStream in = new ASN1InputStream(data))
        {
            ASN1Primitive p = in.readObject();
            if (p == null || in.readObject() != null)
            {
                throw new Stop(ERROR, "not a single ContentInfo");
            }
            return ContentInfo.getInstance(p);
        }
        catch (IOException | RuntimeException e)
        {
            throw new Stop(ERROR, "malformed ContentInfo: " + describe(e));
        }
    }

    /* ------------------------------------------------------------------ */
    /* sign, verify                                                         */

    private static String signatureName(String alg) throws Stop
    {
        switch (alg)
        {
        case "rsa-sha256":    return "SHA256withRSA";
        case "rsapss-sha256": return "SHA256withRSAandMGF1";
        case "ecdsa-sha256":  return "SHA256withECDSA";
        case "ecdsa-sha384":  return "SHA384withECDSA";
        case "ecdsa-sha512":  return "SHA512withECDSA";
        case "ed25519":       return "Ed25519";
        case "ed448":         return "Ed448";
        default:
            throw usage("unknown --alg " + alg);
        }
    }

    private static int sign(Options o) throws Exception
    {
        String name = signatureName(o.need("--alg"));
        X509Certificate cert = readCert(o.need("--cert"));
        PrivateKey key = readKey(o.need("--key"));
        byte[] content = readFile(o.need("-i"));
        String out = o.need("-o");

        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        try
        {
            gen.addSignerInfoGenerator(new JcaSimpleSignerInfoGeneratorBuilder()
                .setProvider(BC).build(name, key, cert));
        }
        catch (Exception e)
        {
            if (isMissingAlgorithm(e))
            {
                throw unsupported("signature algorithm " + name);
            }
            throw e;
        }
        gen.addCertificates(new JcaCertStore(List.of(cert)));
        CMSSignedData sd = gen.generate(new CMSProcessableByteArray(content),
                                        !o.has("--detached"));
        writeFile(out, der(sd.toASN1Structure()));
        return OK;
    }

    private static int verify(Options o) throws Exception
    {
        byte[] message = readFile(o.need("-i"));
        String contentPath = o.one("--content");
        String out = o.one("-o");
        ContentInfo ci = contentInfo(message);
        if (!CMSObjectIdentifiers.signedData.equals(ci.getContentType()))
        {
            throw new Stop(ERROR, "not a SignedData but "
                           + ci.getContentType());
        }
        CMSSignedData sd;
        if (contentPath != null)
        {
            sd = new CMSSignedData(
                new CMSProcessableByteArray(readFile(contentPath)), ci);
        }
        else
        {
            sd = new CMSSignedData(ci);
        }
        if (sd.getSignedContent() == null)
        {
            throw new Stop(ERROR, "detached signature: give --content");
        }

        Store<X509CertificateHolder> certs = sd.getCertificates();
        Collection<SignerInformation> signers = sd.getSignerInfos()
            .getSigners();
        if (signers.isEmpty())
        {
            throw failed("no SignerInfo");
        }
        boolean allGood = true;
        boolean missing = false;
        int n = 0;
        for (SignerInformation si : signers)
        {
            n++;
            String what = "signer " + n + " (digest " + si.getDigestAlgOID()
                + ", signature " + si.getEncryptionAlgOID() + ")";
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> match =
                certs.getMatches(si.getSID());
            if (match.isEmpty())
            {
                System.err.println(what + ": no certificate in the message");
                allGood = false;
                continue;
            }
            X509CertificateHolder holder = match.iterator().next();
            try
            {
                SignerInformationVerifier v =
                    new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC)
                        .build(holder);
                if (si.verify(v))
                {
                    System.err.println(what + ": verified");
                }
                else
                {
                    System.err.println(what + ": signature does not verify");
                    allGood = false;
                }
            }
            catch (Exception e)
            {
                if (isMissingAlgorithm(e))
                {
                    missing = true;
                }
                System.err.println(what + ": " + describe(e));
                allGood = false;
            }
        }
        if (!allGood)
        {
            if (missing)
            {
                throw unsupported("a signer's algorithm (see above)");
            }
            throw failed("verification failed");
        }
        if (out != null)
        {
            Object c = sd.getSignedContent().getContent();
            if (!(c instanceof byte[]))
            {
                throw new Stop(ERROR, "content is not an OCTET STRING");
            }
            writeFile(out, (byte[]) c);
        }
        return OK;
    }

    /* ------------------------------------------------------------------ */
    /* encrypt                                                              */

    private static final class CipherChoice
    {
        final ASN1ObjectIdentifier oid;
        final boolean aead;
        final int keyBits;

        CipherChoice(ASN1ObjectIdentifier oid, boolean aead, int keyBits)
        {
            this.oid = oid;
            this.aead = aead;
            this.keyBits = keyBits;
        }
    }

    private static CipherChoice cipherChoice(String name) throws Stop
    {
        switch (name)
        {
        case "aes128-cbc":
            return new CipherChoice(CMSAlgorithm.AES128_CBC, false, 128);
        case "aes192-cbc":
            return new CipherChoice(CMSAlgorithm.AES192_CBC, false, 192);
        case "aes256-cbc":
            return new CipherChoice(CMSAlgorithm.AES256_CBC, false, 256);
        case "aes128-gcm":
            return new CipherChoice(CMSAlgorithm.AES128_GCM, true, 128);
        case "aes256-gcm":
            return new CipherChoice(CMSAlgorithm.AES256_GCM, true, 256);
        case "chacha20-poly1305":
            return new CipherChoice(CHACHA20_POLY1305, true, 256);
        default:
            throw usage("unknown --cipher " + name);
        }
    }

    private static ASN1ObjectIdentifier aesWrap(int keyBits)
    {
        switch (keyBits)
        {
        case 128: return CMSAlgorithm.AES128_WRAP;
        case 192: return CMSAlgorithm.AES192_WRAP;
        default:  return CMSAlgorithm.AES256_WRAP;
        }
    }

    private static ASN1ObjectIdentifier aesCbc(int keyBits)
    {
        switch (keyBits)
        {
        case 128: return CMSAlgorithm.AES128_CBC;
        case 192: return CMSAlgorithm.AES192_CBC;
        default:  return CMSAlgorithm.AES256_CBC;
        }
    }

    /** The X9.63-KDF scheme of RFC 5753 for a named curve. */
    private static ASN1ObjectIdentifier ecdhScheme(ASN1ObjectIdentifier curve)
        throws Stop
    {
        switch (curve.getId())
        {
        case "1.2.840.10045.3.1.7": return CMSAlgorithm.ECDH_SHA256KDF;
        case "1.3.132.0.34":        return CMSAlgorithm.ECDH_SHA384KDF;
        case "1.3.132.0.35":        return CMSAlgorithm.ECDH_SHA512KDF;
        default:
            throw unsupported("EC curve " + curve + " for key agreement");
        }
    }

    private static int encrypt(Options o) throws Exception
    {
        CipherChoice cc = cipherChoice(o.need("--cipher"));
        byte[] content = readFile(o.need("-i"));
        String out = o.need("-o");
        boolean oaep = o.has("--oaep");
        List<RecipientInfoGenerator> ris = new ArrayList<>();

        /* Certificate recipients: RSA ones each get a KeyTransRecipientInfo;
           key agreement recipients are grouped by curve, one ephemeral key
           and one KeyAgreeRecipientInfo for each group. */
        Map<String, JceKeyAgreeRecipientInfoGenerator> kari =
            new LinkedHashMap<>();
        for (String path : o.all("--to"))
        {
            X509Certificate cert = readCert(path);
            PublicKey pub = cert.getPublicKey();
            SubjectPublicKeyInfo spki =
                SubjectPublicKeyInfo.getInstance(pub.getEncoded());
            ASN1ObjectIdentifier keyAlg = spki.getAlgorithm().getAlgorithm();
            if (PKCSObjectIdentifiers.rsaEncryption.equals(keyAlg))
            {
                JceKeyTransRecipientInfoGenerator g;
                if (oaep)
                {
                    AlgorithmIdentifier oaepId =
                        new JcaAlgorithmParametersConverter()
                            .getAlgorithmIdentifier(
                                PKCSObjectIdentifiers.id_RSAES_OAEP,
                                new OAEPParameterSpec("SHA-256", "MGF1",
                                    MGF1ParameterSpec.SHA256,
                                    PSource.PSpecified.DEFAULT));
                    g = new JceKeyTransRecipientInfoGenerator(cert, oaepId);
                }
                else
                {
                    g = new JceKeyTransRecipientInfoGenerator(cert);
                }
                ris.add(g.setProvider(BC));
                continue;
            }

            String group;
            ASN1ObjectIdentifier scheme;
            KeyPairGenerator kpg;
            if (X9ObjectIdentifiers.id_ecPublicKey.equals(keyAlg))
            {
                ASN1ObjectIdentifier curve = ASN1ObjectIdentifier.getInstance(
                    spki.getAlgorithm().getParameters());
                scheme = ecdhScheme(curve);
                group = "EC " + curve.getId();
                kpg = KeyPairGenerator.getInstance("EC", BC);
                kpg.initialize(((ECPublicKey) pub).getParams());
            }
            else if (EdECObjectIdentifiers.id_X25519.equals(keyAlg))
            {
                scheme = HKDF_SHA256_SCHEME;
                group = "X25519";
                kpg = KeyPairGenerator.getInstance("X25519", BC);
            }
            else if (EdECObjectIdentifiers.id_X448.equals(keyAlg))
            {
                scheme = HKDF_SHA512_SCHEME;
                group = "X448";
                kpg = KeyPairGenerator.getInstance("X448", BC);
            }
            else
            {
                throw new Stop(ERROR, path + ": a " + keyAlg
                               + " key cannot receive encrypted content");
            }
            JceKeyAgreeRecipientInfoGenerator g = kari.get(group);
            if (g == null)
            {
                KeyPair eph = kpg.generateKeyPair();
                g = new JceKeyAgreeRecipientInfoGenerator(scheme,
                        eph.getPrivate(), eph.getPublic(),
                        aesWrap(cc.keyBits))
                    .setProvider(BC);
                kari.put(group, g);
            }
            g.addRecipient(cert);
        }
        ris.addAll(kari.values());

        String kek = o.one("--kek");
        String kekId = o.one("--kek-id");
        if ((kek == null) != (kekId == null))
        {
            throw usage("--kek and --kek-id go together");
        }
        if (kek != null)
        {
            byte[] k = hex("--kek", kek);
            if (k.length != 16 && k.length != 24 && k.length != 32)
            {
                throw usage("--kek must be 16, 24 or 32 octets");
            }
            ris.add(new JceKEKRecipientInfoGenerator(hex("--kek-id", kekId),
                    new SecretKeySpec(k, "AES")).setProvider(BC));
        }

        String password = o.one("--password");
        if (password != null)
        {
            JcePasswordRecipientInfoGenerator g =
                new JcePasswordRecipientInfoGenerator(aesCbc(cc.keyBits),
                                                      password.toCharArray());
            g.setProvider(BC);
            g.setPRF(PasswordRecipient.PRF.HMacSHA256);
            ris.add(g);
        }
        if (ris.isEmpty())
        {
            throw usage("give --to, --kek with --kek-id, or --password");
        }

        OutputEncryptor enc;
        try
        {
            enc = new JceCMSContentEncryptorBuilder(cc.oid).setProvider(BC)
                .build();
        }
        catch (CMSException e)
        {
            throw unsupported("content encryption " + o.need("--cipher")
                              + " (" + describe(e) + ")");
        }
        CMSTypedData data = new CMSProcessableByteArray(content);
        ContentInfo result;
        try
        {
            if (cc.aead)
            {
                if (!(enc instanceof OutputAEADEncryptor))
                {
                    throw unsupported(o.need("--cipher")
                                      + " AuthEnvelopedData: no AEAD"
                                      + " content encryptor for it");
                }
                CMSAuthEnvelopedDataGenerator gen =
                    new CMSAuthEnvelopedDataGenerator();
                for (RecipientInfoGenerator r : ris)
                {
                    gen.addRecipientInfoGenerator(r);
                }
                result = gen.generate(data, (OutputAEADEncryptor) enc)
                    .toASN1Structure();
            }
            else
            {
                CMSEnvelopedDataGenerator gen =
                    new CMSEnvelopedDataGenerator();
                for (RecipientInfoGenerator r : ris)
                {
                    gen.addRecipientInfoGenerator(r);
                }
                result = gen.generate(data, enc).toASN1Structure();
            }
        }
        catch (CMSException e)
        {
            String m = e.getMessage() == null ? "" : e.getMessage();
            if (m.startsWith("Unknown key agreement algorithm"))
            {
                /* BouncyCastle 1.72 knows no RFC 8418 HKDF scheme (and
                   its X9.63-KDF schemes take EC keys only). */
                throw unsupported("key agreement scheme of RFC 8418 "
                                  + "for X25519/X448 (" + m + ")");
            }
            if (isMissingAlgorithm(e))
            {
                throw unsupported("a recipient's algorithm ("
                                  + describe(e) + ")");
            }
            throw e;
        }
        writeFile(out, der(result));
        return OK;
    }

    /* ------------------------------------------------------------------ */
    /* decrypt                                                              */

    /** BouncyCastle's AEAD content cipher as a CMS AEAD decryptor. */
    private static final class AeadDecryptor implements InputAEADDecryptor
    {
        private final AlgorithmIdentifier alg;
        private final Cipher cipher;

        AeadDecryptor(AlgorithmIdentifier alg, Cipher cipher)
        {
            this.alg = alg;
            this.cipher = cipher;
        }

        public AlgorithmIdentifier getAlgorithmIdentifier()
        {
            return alg;
        }

        public InputStream getInputStream(InputStream in)
        {
            return new CipherInputStream(in, cipher);
        }

        public OutputStream getAADStream()
        {
            return new OutputStream()
            {
                public void write(int b)
                {
                    cipher.updateAAD(new byte[] { (byte) b });
                }

                public void write(byte[] b, int off, int len)
                {
                    cipher.updateAAD(b, off, len);
                }
            };
        }

        public byte[] getMAC()
        {
            /* The tag travels at the end of the ciphertext stream, where
               CMSAuthEnvelopedData puts it; the cipher checks it. */
            return new byte[0];
        }
    }

    /** Key agreement recipient of an AuthEnvelopedData. */
    private static final class KariAead extends JceKeyAgreeRecipient
    {
        KariAead(PrivateKey key)
        {
            super(key);
        }

        public RecipientOperator getRecipientOperator(AlgorithmIdentifier kea,
            AlgorithmIdentifier cea, SubjectPublicKeyInfo originator,
            ASN1OctetString ukm, byte[] encryptedKey) throws CMSException
        {
            Key cek = extractSecretKey(kea, cea, originator, ukm,
                                       encryptedKey);
            return new RecipientOperator(new AeadDecryptor(cea,
                contentHelper.createContentCipher(cek, cea)));
        }
    }

    /** KEK recipient of an AuthEnvelopedData. */
    private static final class KekAead extends JceKEKRecipient
    {
        KekAead(SecretKey key)
        {
            super(key);
        }

        public RecipientOperator getRecipientOperator(AlgorithmIdentifier kea,
            AlgorithmIdentifier cea, byte[] encryptedKey) throws CMSException
        {
            Key cek = extractSecretKey(kea, cea, encryptedKey);
            return new RecipientOperator(new AeadDecryptor(cea,
                contentHelper.createContentCipher(cek, cea)));
        }
    }

    /** Password recipient of an AuthEnvelopedData. */
    private static final class PwriAead extends JcePasswordEnvelopedRecipient
    {
        PwriAead(char[] password)
        {
            super(password);
        }

        public RecipientOperator getRecipientOperator(AlgorithmIdentifier kea,
            AlgorithmIdentifier cea, byte[] derivedKey, byte[] encryptedKey)
            throws CMSException
        {
            Key cek = extractSecretKey(kea, cea, derivedKey, encryptedKey);
            return new RecipientOperator(new AeadDecryptor(cea,
                helper.createContentCipher(cek, cea)));
        }
    }

    @SuppressWarnings("unchecked")
    private static int decrypt(Options o) throws Exception
    {
        byte[] message = readFile(o.need("-i"));
        String out = o.need("-o");
        ContentInfo ci = contentInfo(message);
        boolean aead;
        RecipientInformationStore store;
        if (CMSObjectIdentifiers.envelopedData.equals(ci.getContentType()))
        {
            CMSEnvelopedData ed = new CMSEnvelopedData(ci);
            store = ed.getRecipientInfos();
            aead = false;
        }
        else if (CMSObjectIdentifiers.authEnvelopedData
                     .equals(ci.getContentType()))
        {
            CMSAuthEnvelopedData ad = new CMSAuthEnvelopedData(ci);
            store = ad.getRecipientInfos();
            aead = true;
        }
        else
        {
            throw new Stop(ERROR, "neither EnvelopedData nor "
                           + "AuthEnvelopedData but " + ci.getContentType());
        }
        /* Which RecipientInfos the given keys can open, and with what. */
        List<RecipientInformation> tries = new ArrayList<>();
        List<Recipient> with = new ArrayList<>();
        String certPath = o.one("--cert");
        String keyPath = o.one("--key");
        if ((certPath == null) != (keyPath == null))
        {
            throw usage("--cert and --key go together");
        }
        String kek = o.one("--kek");
        String kekId = o.one("--kek-id");
        if ((kek == null) != (kekId == null))
        {
            throw usage("--kek and --kek-id go together");
        }
        String password = o.one("--password");
        if (certPath == null && kek == null && password == null)
        {
            throw usage("give --cert and --key, --kek and --kek-id, "
                        + "or --password");
        }
        X509CertificateHolder holder = null;
        PrivateKey key = null;
        if (certPath != null)
        {
            holder = new X509CertificateHolder(
                readCert(certPath).getEncoded());
            key = readKey(keyPath);
        }
        byte[] kekBytes = kek == null ? null : hex("--kek", kek);
        byte[] kekIdBytes = kekId == null ? null : hex("--kek-id", kekId);

        String lacking = null;
        for (RecipientInformation ri : store.getRecipients())
        {
            if (ri instanceof KeyTransRecipientInformation && holder != null
                && ri.getRID().match(holder))
            {
                tries.add(ri);
                with.add(aead
                    ? new JceKeyTransAuthEnvelopedRecipient(key)
                        .setProvider(BC)
                    : new JceKeyTransEnvelopedRecipient(key).setProvider(BC));
            }
            else if (ri instanceof KeyAgreeRecipientInformation
                     && holder != null && ri.getRID().match(holder))
            {
                ASN1ObjectIdentifier scheme =
                    ri.getKeyEncryptionAlgorithm().getAlgorithm();
                if (scheme.equals(HKDF_SHA256_SCHEME)
                    || scheme.equals(HKDF_SHA384_SCHEME)
                    || scheme.equals(HKDF_SHA512_SCHEME))
                {
                    lacking = "key agreement scheme " + scheme
                        + " (RFC 8418 HKDF)";
                }
                tries.add(ri);
                with.add(aead ? new KariAead(key).setProvider(BC)
                              : new JceKeyAgreeEnvelopedRecipient(key)
                                  .setProvider(BC));
            }
            else if (ri instanceof KEKRecipientInformation
                     && kekBytes != null
                     && ri.getRID().match(kekIdBytes))
            {
                SecretKey sk = new SecretKeySpec(kekBytes, "AES");
                tries.add(ri);
                with.add(aead ? new KekAead(sk).setProvider(BC)
                              : new JceKEKEnvelopedRecipient(sk)
                                  .setProvider(BC));
            }
            else if (ri instanceof PasswordRecipientInformation
                     && password != null)
            {
                char[] pw = password.toCharArray();
                tries.add(ri);
                with.add(aead ? new PwriAead(pw).setProvider(BC)
                              : new JcePasswordEnvelopedRecipient(pw)
                                  .setProvider(BC));
            }
        }
        if (tries.isEmpty())
        {
            throw failed("decryption failed: no RecipientInfo for the keys "
                         + "given");
        }
        boolean missing = false;
        for (int i = 0; i < tries.size(); i++)
        {
            RecipientInformation ri = tries.get(i);
            try
            {
                byte[] content = ri.getContent(with.get(i));
                writeFile(out, content);
                return OK;
            }
            catch (Exception e)
            {
                if (e instanceof Stop)
                {
                    throw e;
                }
                if (isMissingAlgorithm(e))
                {
                    missing = true;
                }
                System.err.println("RecipientInfo "
                    + ri.getKeyEncryptionAlgOID() + ": " + describe(e));
            }
        }
        if (lacking != null)
        {
            throw unsupported(lacking);
        }
        if (missing)
        {
            throw unsupported("an algorithm of the message (see above)");
        }
        throw failed("decryption failed");
    }

    /* ------------------------------------------------------------------ */
    /* compress, decompress                                                 */

    private static int compress(Options o) throws Exception
    {
        byte[] content = readFile(o.need("-i"));
        String out = o.need("-o");
        CMSCompressedData cd = new CMSCompressedDataGenerator().generate(
            new CMSProcessableByteArray(content), new ZlibCompressor());
        writeFile(out, der(cd.toASN1Structure()));
        return OK;
    }

    private static int decompress(Options o) throws Exception
    {
        byte[] message = readFile(o.need("-i"));
        String out = o.need("-o");
        ContentInfo ci = contentInfo(message);
        if (!CMSObjectIdentifiers.compressedData.equals(ci.getContentType()))
        {
            throw new Stop(ERROR, "not a CompressedData but "
                           + ci.getContentType());
        }
        byte[] content;
        try
        {
            content = new CMSCompressedData(ci)
                .getContent(new ZlibExpanderProvider());
        }
        catch (CMSException e)
        {
            throw new Stop(ERROR, "decompression failed: " + describe(e));
        }
        writeFile(out, content);
        return OK;
    }
}
